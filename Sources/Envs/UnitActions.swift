/// An env whose actions live in [−1, 1]ⁿ, mapped affinely onto the wrapped env's action box
/// (rllab's `normalize`, Gymnasium's `RescaleAction`). The paper's code wrapped every env this
/// way, which matters only where the box is not [−1, 1]ⁿ: on navigation a policy with σ = 1 then
/// explores ±0.1 of displacement instead of being clipped on almost every step, and its σ can
/// shrink below the box size, which decides how close to the goal it can stay.
public final class UnitActions: Env {
    public let base: any Env
    public let actionSpace: Space
    private var scaled: [Float]

    public init(_ base: any Env) {
        self.base = base
        actionSpace = Space(count: base.actionSpace.count, low: -1, high: 1)
        scaled = Array(repeating: 0, count: base.actionSpace.count)
    }

    public var name: String { base.name }
    public var observationSpace: Space { base.observationSpace }
    public var horizon: Int { base.horizon }
    public var elapsedSteps: Int { base.elapsedSteps }
    public var task: Task { base.task }
    public var taskKind: TaskKind { base.taskKind }
    public func setTask(_ task: Task) throws { try base.setTask(task) }
    public func reset(seed: UInt64?) -> (observation: [Float], info: Info) { base.reset(seed: seed) }
    public func scene() -> Scene { base.scene() }

    /// Clips `action` into [−1, 1]ⁿ, then maps −1 ↦ low and 1 ↦ high.
    public func step(_ action: [Float]) throws -> StepResult {
        try clipAction(action, into: &scaled, space: actionSpace)
        let box = base.actionSpace
        for i in scaled.indices {
            scaled[i] = box.low[i] + (scaled[i] + 1) * 0.5 * (box.high[i] - box.low[i])
        }
        return try base.step(scaled)
    }
}
