/// Generalised advantage estimation (Schulman et al. 2016, eq. 16) on a time-major batch:
/// δ_t = r_t + γ V(s_{t+1}) − V(s_t), A_t = Σ_l (γλ)^l δ_{t+l}, with V = 0 past an episode's end.
public func generalizedAdvantages(rewards: [Float], values: [Float], masks: [Float], episodes count: Int,
                                  gamma: Float, lambda: Float) -> [Float] {
    let length = rewards.count / count
    var advantages = [Float](repeating: 0, count: rewards.count)
    for k in 0..<count {
        var running: Float = 0
        for t in stride(from: length - 1, through: 0, by: -1) {
            let i = t * count + k
            let next = t + 1 < length ? values[i + count] * masks[i + count] : 0
            let delta = (rewards[i] + gamma * next - values[i]) * masks[i]
            running = (delta + gamma * lambda * running) * masks[i]
            advantages[i] = running
        }
    }
    return advantages
}

/// (A − mean) / (std + 1e-8) over the unmasked rows; padding stays 0.
public func normalized(_ advantages: [Float], masks: [Float]) -> [Float] {
    let n = Double(masks.reduce(0, +))
    guard n > 1 else { return advantages }
    var mean = 0.0
    for (a, m) in zip(advantages, masks) { mean += Double(a * m) }
    mean /= n
    var variance = 0.0
    for (a, m) in zip(advantages, masks) where m > 0 { variance += (Double(a) - mean) * (Double(a) - mean) }
    let std = (variance / n).squareRoot()
    return zip(advantages, masks).map { a, m in m > 0 ? Float((Double(a) - mean) / (std + 1e-8)) : 0 }
}

extension Episodes {
    /// Normalised GAE advantages with a linear feature baseline fitted to this batch's returns.
    public func advantages(gamma: Float, lambda: Float, baseline: LinearFeatureBaseline = LinearFeatureBaseline()) -> [Float] {
        let values = baseline.fitAndPredict(self, targets: discountedReturns(gamma: gamma))
        let raw = generalizedAdvantages(rewards: rewards, values: values, masks: masks, episodes: count, gamma: gamma, lambda: lambda)
        return normalized(raw, masks: masks)
    }
}
