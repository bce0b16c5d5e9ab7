extension UNetArchitecture {
    /// The parameters `DiffusersUNet` loads for this architecture, counted from the shapes alone: the weight
    /// memory of a configuration can be planned (and refused) before gigabytes of weights exist. Mirrors the
    /// layers' initialisers; the tests hold it to every fixture checkpoint's tensor count and to the released
    /// SD 1.5 and SDXL counts.
    var parameterCount: Int {
        func linear(_ input: Int, _ output: Int, bias: Bool = true) -> Int { input * output + (bias ? output : 0) }
        func conv(_ input: Int, _ output: Int, kernel: Int = 3) -> Int { input * output * kernel * kernel + output }
        func norm(_ channels: Int) -> Int { 2 * channels }
        let settings = resnet
        func resnetBlock(_ input: Int, _ output: Int) -> Int {
            let timeWidth = settings.timeEmbeddingNorm == .scaleShift ? 2 * output : output
            var count = norm(input) + conv(input, output) + norm(output) + conv(output, output)
            if let temb = settings.timeEmbeddingChannels { count += linear(temb, timeWidth) }
            if input != output { count += conv(input, output, kernel: 1) }
            return count
        }
        func mixer(_ kind: Mixer?, _ c: Int) -> Int {
            switch kind {
            case nil:
                return 0
            case let .selfAttention(_, normGroups, _, _):
                return (normGroups == nil ? 0 : norm(c)) + 4 * linear(c, c)
            case let .transformer(settings):
                let selfAttention: Int = 3 * linear(c, c, bias: false) + linear(c, c)
                let crossAttention: Int = linear(c, c, bias: false) + 2 * linear(settings.contextDim, c, bias: false) + linear(c, c)
                let feedForward: Int = linear(c, 8 * c) + linear(4 * c, c)
                let block: Int = 3 * norm(c) + selfAttention + crossAttention + feedForward
                return norm(c) + 2 * linear(c, c) + settings.layers * block
            }
        }
        let channels = blockOutChannels, temb = timeEmbeddingChannels
        var count = linear(timeProjection.channels, temb) + linear(temb, temb) + (numClassEmbeds ?? 0) * temb
        if let textTime { count += linear(textTime.settings.inputChannels, temb) + linear(temb, temb) }
        count += conv(inChannels, channels[0]) + norm(channels[0]) + conv(channels[0], outChannels)
        var skips = [channels[0]]
        for level in channels.indices {
            let isLast = level == channels.count - 1
            for layer in 0..<layersPerBlock[level] {
                count += resnetBlock(layer == 0 && level > 0 ? channels[level - 1] : channels[level], channels[level])
                count += mixer(downMixers[level], channels[level])
            }
            if !isLast { count += conv(channels[level], channels[level]) }
            skips += [Int](repeating: channels[level], count: layersPerBlock[level] + (isLast ? 0 : 1))
        }
        if hasMidBlock { count += 2 * resnetBlock(channels.last!, channels.last!) + mixer(midMixer, channels.last!) }
        let reversed = Array(channels.reversed()), reversedLayers = Array(layersPerBlock.reversed())
        for level in reversed.indices {
            for layer in 0...reversedLayers[level] {
                let previous = level == 0 ? reversed[0] : reversed[level - 1]
                let input: Int = (layer == 0 ? previous : reversed[level]) + skips.removeLast()
                count += resnetBlock(input, reversed[level]) + mixer(upMixers[level], reversed[level])
            }
            if level < channels.count - 1 { count += conv(reversed[level], reversed[level]) }
        }
        return count
    }
}

extension UNet2DConditionConfiguration {
    /// Parameters of the UNet this config describes (see `UNetArchitecture.parameterCount`).
    public var parameterCount: Int { architecture.parameterCount }
}

extension UNet2DConfiguration {
    /// Parameters of the UNet this config describes (see `UNetArchitecture.parameterCount`).
    public var parameterCount: Int { architecture.parameterCount }
}
