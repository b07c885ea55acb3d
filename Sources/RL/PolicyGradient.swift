/// The losses of MAML-RL, each a masked mean over the real steps of a batch.
extension GaussianMLPPolicy {
    /// The inner loss (REINFORCE with advantages): −E[log π_θ(a|s) · A].
    public func reinforceLoss(_ episodes: Episodes, advantages: Tensor, _ parameters: Parameters) -> Tensor {
        let logp = logProbability(observations: episodes.observations, actions: episodes.actions, parameters)
        return -maskedMean(logp * advantages, episodes)
    }

    /// The meta-update's surrogate loss: −E[π_θ(a|s) / π_old(a|s) · A], where π_old sampled the
    /// batch (Schulman et al. 2015, eq. 14).
    public func surrogateLoss(_ episodes: Episodes, advantages: Tensor, _ parameters: Parameters) -> Tensor {
        let logp = logProbability(observations: episodes.observations, actions: episodes.actions, parameters)
        let ratio = (logp - episodes.logProbabilities).exp()
        return -maskedMean(ratio * advantages, episodes)
    }

    /// E[KL(π_old ‖ π_θ)] over the batch's states, π_old given by its means and log σ.
    public func meanKL(_ episodes: Episodes, oldMeans: Tensor, oldLogStd: Tensor, _ parameters: Parameters) -> Tensor {
        maskedMean(kl(observations: episodes.observations, oldMeans: oldMeans, oldLogStd: oldLogStd, parameters), episodes)
    }
}

/// Σ mask·x / Σ mask over a batch's rows.
func maskedMean(_ x: Tensor, _ episodes: Episodes) -> Tensor {
    let mask = Tensor(episodes.masks)
    return (x * mask).sum() / Swift.max(Float(episodes.stepCount), 1)
}
