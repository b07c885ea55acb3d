import Envs

/// The λ-return of a batch as a differentiable function of the return's meta-parameters
/// η = (γ, λ) (Xu, van Hasselt & Silver 2018, eq. 2): G_t = r_t + γ [(1 − λ) v(s_{t+1}) + λ G_{t+1}],
/// with nothing after an episode's last step (the horizon ends it; the values are constants, the
/// critic's current estimates). Rows are time-major, as in `Episodes`.
func lambdaReturns(_ episodes: Episodes, values: [Float], gamma: Tensor, lambda: Tensor) -> Tensor {
    let k = episodes.count
    let row = { (data: [Float], t: Int) in Tensor(Array(data[t * k ..< (t + 1) * k])) }
    let masks = episodes.masks
    let bootstrapWeight = 1 - lambda
    var next = Tensor.zeros([k]), nextValue = Tensor.zeros([k])
    var returns: [Tensor] = []
    for t in stride(from: episodes.length - 1, through: 0, by: -1) {
        let mask = row(masks, t)
        next = (row(episodes.rewards, t) + gamma * (bootstrapWeight * nextValue + lambda * next)) * mask
        nextValue = row(values, t) * mask
        returns.append(next)
    }
    return Tensor.concatenate(returns.reversed(), axis: 0)
}
