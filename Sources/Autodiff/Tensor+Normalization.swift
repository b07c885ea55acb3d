/// Batch normalisation (Ioffe & Szegedy, 2015) over every axis but the last (channels), with
/// the batch's own statistics, as MAML uses it in both training and test (Finn et al. 2017,
/// §5.2: no running averages, so every episode is normalised transductively). Written with
/// differentiable ops, so its derivatives of every order follow from theirs.
extension Tensor {
    /// (x − mean) / √(var + ε) · scale + offset, the statistics taken over all axes but the last.
    public func batchNormalized(scale: Tensor, offset: Tensor, epsilon: Float = 1e-5) -> Tensor {
        let channels = shape.last ?? 0
        require(rank >= 2 && scale.shape == [channels] && offset.shape == [channels],
                "batchNormalized: input \(shape) needs scale and offset of shape [\(channels)], got \(scale.shape) and \(offset.shape)")
        let axes = Array(0..<(rank - 1))
        let mean = self.mean(axes: axes, keepDims: true)
        let centred = self - mean
        let variance = centred.square().mean(axes: axes, keepDims: true)
        return centred / (variance + epsilon).sqrt() * scale + offset
    }
}
