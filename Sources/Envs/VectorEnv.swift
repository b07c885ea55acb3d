import Dispatch

/// N copies of one env stepped with one call, on `threads` threads (for the sampler: one batched
/// policy forward, then one `step` for all copies).
///
/// Observations and actions are flat row-major `[Float]` of N rows. A copy whose episode has ended
/// (terminated or truncated) stays ended until the next `reset`: its row repeats its final
/// observation, with reward 0 and its done flags kept, so batches of whole episodes can be masked.
public final class VectorEnv: @unchecked Sendable {
    public let envs: [any Env]
    public let threads: Int
    public let observationCount: Int
    public let actionCount: Int
    // Results live in fixed buffers that each thread writes only at its own copies' slots.
    private let obsBuffer: UnsafeMutableBufferPointer<Float>
    private let rewardBuffer: UnsafeMutableBufferPointer<Double>
    private let terminatedBuffer: UnsafeMutableBufferPointer<Bool>
    private let truncatedBuffer: UnsafeMutableBufferPointer<Bool>

    /// `count` copies of the env registered as `name`.
    public convenience init(name: String, count: Int, config: EnvConfig = EnvConfig(), threads: Int = 1) throws {
        let spec = try EnvRegistry.spec(name)
        try self.init(envs: (0..<count).map { _ in try spec.make(config: config) }, threads: threads)
    }

    public init(envs: [any Env], threads: Int = 1) throws {
        precondition(!envs.isEmpty, "VectorEnv needs at least one env")
        self.envs = envs
        self.threads = max(1, min(threads, envs.count))
        observationCount = envs[0].observationSpace.count
        actionCount = envs[0].actionSpace.count
        let n = envs.count
        obsBuffer = .allocate(capacity: n * observationCount)
        obsBuffer.initialize(repeating: 0)
        rewardBuffer = .allocate(capacity: n)
        rewardBuffer.initialize(repeating: 0)
        terminatedBuffer = .allocate(capacity: n)
        terminatedBuffer.initialize(repeating: false)
        truncatedBuffer = .allocate(capacity: n)
        truncatedBuffer.initialize(repeating: false)
    }

    deinit {
        obsBuffer.deallocate()
        rewardBuffer.deallocate()
        terminatedBuffer.deallocate()
        truncatedBuffer.deallocate()
    }

    public var count: Int { envs.count }
    /// Latest observations, N × observationCount, row-major.
    public var observations: [Float] { Array(obsBuffer) }
    /// Rewards of the latest step (0 for copies already done before it).
    public var rewards: [Double] { Array(rewardBuffer) }
    public var terminated: [Bool] { Array(terminatedBuffer) }
    public var truncated: [Bool] { Array(truncatedBuffer) }
    /// Copies whose episode has ended.
    public var done: [Bool] { (0..<count).map { terminatedBuffer[$0] || truncatedBuffer[$0] } }
    public var allDone: Bool { (0..<count).allSatisfy { terminatedBuffer[$0] || truncatedBuffer[$0] } }
    /// The observations without copying.
    public func withObservations<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(obsBuffer))
    }

    /// Gives copy i `tasks[i]` (or every copy the same task) for the next reset.
    public func setTasks(_ tasks: [Task]) throws {
        precondition(tasks.count == count || tasks.count == 1, "one task, or one per copy")
        for (i, env) in envs.enumerated() { try env.setTask(tasks[tasks.count == 1 ? 0 : i]) }
    }

    /// Resets every copy, copy i with `seeds[i]` (nil: continue each copy's generator); returns
    /// the observations.
    @discardableResult
    public func reset(seeds: [UInt64]? = nil) -> [Float] {
        precondition(seeds == nil || seeds!.count == count, "one seed per copy")
        parallel { i in
            let (obs, _) = self.envs[i].reset(seed: seeds?[i])
            self.write(obs, row: i)
            self.rewardBuffer[i] = 0
            self.terminatedBuffer[i] = false
            self.truncatedBuffer[i] = false
        }
        return observations
    }

    /// Steps every unfinished copy with its row of `actions` (N × actionCount, row-major).
    /// Throws the first copy's error (e.g. a non-finite action).
    public func step(_ actions: [Float]) throws {
        precondition(actions.count == count * actionCount, "expected \(count) × \(actionCount) actions")
        var failures = [Error?](repeating: nil, count: count)
        try failures.withUnsafeMutableBufferPointer { failures in
            let failed = UncheckedSendable(failures)
            parallel { i in
                if self.terminatedBuffer[i] || self.truncatedBuffer[i] { self.rewardBuffer[i] = 0; return }
                let row = Array(actions[i * self.actionCount..<(i + 1) * self.actionCount])
                do {
                    let r = try self.envs[i].step(row)
                    self.write(r.observation, row: i)
                    self.rewardBuffer[i] = r.reward
                    self.terminatedBuffer[i] = r.terminated
                    self.truncatedBuffer[i] = r.truncated
                } catch {
                    failed.value[i] = error
                }
            }
            if let error = failures.first(where: { $0 != nil }) ?? nil { throw error }
        }
    }

    private func write(_ obs: [Float], row: Int) {
        for k in 0..<observationCount { obsBuffer[row * observationCount + k] = obs[k] }
    }

    /// Runs `body(i)` for every copy, split into `threads` contiguous chunks; a copy's slots are
    /// touched by one thread only.
    private func parallel(_ body: (Int) -> Void) {
        if threads == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let chunk = (count + threads - 1) / threads
        let n = count
        withoutActuallyEscaping(body) { body in
            let task = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for i in t * chunk..<min((t + 1) * chunk, n) { task.value(i) }
            }
        }
    }
}

private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
