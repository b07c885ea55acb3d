import Experiments
import Foundation
import NN

/// Meta-test evaluation: adapt to each held-out task with the same `SupportSetAdaptation` as training and
/// read a metric on its query set after 0, 1, …, N steps.
public enum Evaluation {
    /// Mean and 95% confidence half-width (1.96 standard errors) of a metric at each step.
    public struct Curve: Sendable, Codable, Equatable {
        public var mean: [Double]
        public var ci95: [Double]
        /// The median over tasks (robust to a few tasks where fine-tuning diverges).
        public var median: [Double]
        /// Tasks whose value is not finite (fine-tuning diverged), per step.
        public var diverged: [Int]

        public init(mean: [Double], ci95: [Double], median: [Double] = [], diverged: [Int] = []) {
            self.mean = mean
            self.ci95 = ci95
            self.median = median
            self.diverged = diverged
        }
    }

    public enum Metric: String, Sendable, Codable {
        /// The model's loss (MSE for regression).
        case loss
        /// Classification accuracy.
        case accuracy
    }

    /// For each task, the query metric after 0…`steps` adaptation steps: values[task][step].
    /// `adapted` names the parameters the steps change (nil: all; CAVIA: its context).
    public static func adaptationValues(model: FunctionalModel, parameters: Parameters, stepSizes: Parameters? = nil,
                                        tasks: [FewShotTask], steps: Int, stepSize: Float,
                                        metric: Metric = .loss, adapted: Set<String>? = nil) -> [[Float]] {
        let inner = SupportSetAdaptation(steps: steps, stepSize: stepSize, createGraph: false, adapted: adapted)
        return tasks.map { task in
            var values: [Float] = []
            _ = inner.adapt(parameters.detached(), stepSizes: stepSizes?.detached(), model: model,
                            inputs: task.supportInputs, targets: task.supportTargets) { _, theta in
                switch metric {
                case .loss: values.append(withoutGradients { model.loss(theta, task.queryInputs, task.queryTargets).scalar })
                case .accuracy: values.append(model.accuracy(theta, task.queryInputs, task.queryTargets))
                }
            }
            return values
        }
    }

    /// Mean and 95% confidence interval over tasks, per step.
    public static func summarize(_ values: [[Float]]) -> Curve {
        guard let steps = values.first?.count else { return Curve(mean: [], ci95: []) }
        var curve = Curve(mean: [], ci95: [])
        for s in 0..<steps {
            let column = values.map { Double($0[s]) }
            let (m, ci) = Statistics.meanAndInterval(column)
            let sorted = column.sorted()
            curve.mean.append(m)
            curve.ci95.append(ci)
            curve.median.append(sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
            curve.diverged.append(column.filter { !$0.isFinite }.count)
        }
        return curve
    }

    /// The step size among `candidates` with the lowest mean query loss over steps 1…`steps` on
    /// `tasks` (validation tasks, not the test tasks): the pretrained baseline's tuned step size.
    public static func tunedStepSize(model: FunctionalModel, parameters: Parameters, tasks: [FewShotTask], steps: Int,
                                     candidates: [Float]) -> Float {
        StepSizeSweep.best(candidates, higherIsBetter: false) { alpha in
            let curve = summarize(adaptationValues(model: model, parameters: parameters, tasks: tasks, steps: steps, stepSize: alpha))
            return curve.mean.dropFirst().reduce(0, +) / Double(Swift.max(steps, 1))
        }.best
    }
}
