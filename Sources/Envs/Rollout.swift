extension Env {
    /// Runs `steps` env steps from `reset(seed:)`, asking `act` for each action and handing every
    /// scene (the initial one too) to `observe`. Starts a new episode when one ends. Returns the
    /// total reward. For rendering and smoke tests; learners use their own samplers.
    @discardableResult
    public func rollout(steps: Int, seed: UInt64, act: ([Float]) throws -> [Float],
                        observe: (Scene) throws -> Void) throws -> Double {
        var (observation, _) = reset(seed: seed)
        try observe(scene())
        var total = 0.0
        for _ in 0..<steps {
            let s = try step(try act(observation))
            total += s.reward
            try observe(scene())
            observation = s.observation
            if s.terminated || s.truncated { observation = reset(seed: nil).observation }
        }
        return total
    }
}
