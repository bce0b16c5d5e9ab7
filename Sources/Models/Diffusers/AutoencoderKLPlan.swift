import Compute
import Foundation

/// How `AutoencoderKL` runs one encode or decode so that every buffer fits the backend's largest tensor
/// (`Backend.maxTensorBytes`; 128 MiB on lavapipe): the whole batch at once, one image at a time, or (when one
/// image is still too much) in overlapping tiles blended as diffusers' `enable_tiling()` does.
public struct AutoencoderKLPlan: Sendable, Equatable, CustomStringConvertible {
    public enum Direction: String, Sendable { case encode, decode }

    public let direction: Direction
    public let batch: Int
    public let latentHeight: Int
    public let latentWidth: Int
    /// The VAE's spatial factor (8 for Stable Diffusion): image sides are latent sides times this.
    public let downsamplingFactor: Int
    /// Images run through the network together: the batch, or 1.
    public let imagesPerPass: Int
    /// Side of the (square) tiles in latent pixels, nil when images run whole.
    public let tileLatentSize: Int?
    /// Whether the tile size was asked for (rather than chosen to fit the limit).
    public let tileRequested: Bool
    /// Estimated largest buffer of this plan, in bytes.
    public let largestBufferBytes: Int
    /// Estimated largest buffer of running the whole batch untiled, in bytes.
    public let wholeBatchBufferBytes: Int
    /// The backend's limit the plan was made for, and the backend's name.
    public let limitBytes: Int
    public let backendName: String

    public var isTiled: Bool { tileLatentSize != nil }
    /// Whether the plan deviates from running the batch whole (what is worth telling the user).
    public var isSplit: Bool { isTiled || imagesPerPass < batch }

    /// One line for the user, e.g. "VAE decode tiled: 32×32-latent tiles (full 512×512 decode needs 258 MiB
    /// buffers; vulkan binds 128 MiB)".
    public var description: String {
        let side = "\(latentWidth * downsamplingFactor)×\(latentHeight * downsamplingFactor)"
        let images = batch == 1 ? "" : " of \(batch) images"
        let why = "full \(side) \(direction.rawValue)\(images) needs \(BufferSize.mebibytes(wholeBatchBufferBytes)) buffers; "
            + "\(backendName) binds \(BufferSize.mebibytes(limitBytes))"
        let perImage = imagesPerPass < batch ? ", one image at a time" : ""
        if let tile = tileLatentSize, tileRequested {
            return "VAE \(direction.rawValue) tiled: \(tile)×\(tile)-latent tiles as requested\(perImage) (largest buffer \(BufferSize.mebibytes(largestBufferBytes)); \(backendName) binds \(BufferSize.mebibytes(limitBytes)))"
        }
        if let tile = tileLatentSize {
            return "VAE \(direction.rawValue) tiled: \(tile)×\(tile)-latent tiles\(perImage) (\(why))"
        }
        if imagesPerPass < batch { return "VAE \(direction.rawValue) one image at a time (\(why))" }
        return "VAE \(direction.rawValue) of \(side)\(images) whole (largest buffer \(BufferSize.mebibytes(largestBufferBytes)); \(backendName) binds \(BufferSize.mebibytes(limitBytes)))"
    }
}

extension AutoencoderKLConfiguration {
    var downsamplingFactor: Int { 1 << (blockOutChannels.count - 1) }

    /// Estimated largest single buffer, in bytes, of encoding or decoding `images` whole at a latent size of
    /// `height` × `width`: every activation, conv2d's zero-padded NHWC working copy of its input (the Vulkan
    /// backend's layout: a one-pixel border, channels padded to a multiple of 4, the largest of them all), the
    /// mid-block attention's score chunk under `scoreBudget` elements, and the assembled output.
    func largestBufferBytes(_ direction: AutoencoderKLPlan.Direction, images n: Int, latentHeight h: Int, latentWidth w: Int,
                            scoreBudget: Int) -> Int {
        let levels = blockOutChannels.count, f = downsamplingFactor
        /// (scale relative to the latent, channels) of each 3×3 convolution's input.
        var convInputs: [(scale: Int, channels: Int)] = []
        let output: Int
        switch direction {
        case .decode:
            let reversed = Array(blockOutChannels.reversed())
            convInputs = [(1, latentChannels), (1, reversed[0])]
            for i in 0..<levels {
                convInputs += [(1 << i, i == 0 ? reversed[0] : reversed[i - 1]), (1 << i, reversed[i])]
                if i < levels - 1 { convInputs.append((1 << (i + 1), reversed[i])) }
            }
            output = outChannels * h * f * w * f
        case .encode:
            convInputs = [(f, inChannels)]
            for k in 0..<levels {
                let scale = f >> k
                convInputs += [(scale, k == 0 ? blockOutChannels[0] : blockOutChannels[k - 1]), (scale, blockOutChannels[k])]
            }
            output = 2 * latentChannels * h * w
        }
        var largest = n * output
        for (scale, channels) in convInputs {
            largest = max(largest, n * (h * scale + 2) * (w * scale + 2) * ((channels + 3) / 4 * 4))
        }
        if midBlockAttention {
            let positions = h * w
            let chunk = MultiHeadAttention.largestScoreChunk(slices: n, queries: positions, keys: positions, budget: scoreBudget)
            // The second matmul reads the scores with their rows padded to a multiple of 4.
            largest = max(largest, chunk / positions * ((positions + 3) / 4 * 4))
        }
        return 4 * largest
    }
}

extension AutoencoderKL {
    /// How a decode of `batch` latents of `latentHeight` × `latentWidth` runs on this VAE's backend (see
    /// `AutoencoderKLPlan`); `tileLatentSize` nil takes the VAE's `tileLatentSize`, which nil chooses: the whole
    /// batch, else one image at a time, else the largest power-of-two tile whose estimate fits.
    public func decodePlan(batch: Int, latentHeight: Int, latentWidth: Int, tileLatentSize: Int? = nil) throws -> AutoencoderKLPlan {
        try plan(.decode, batch: batch, latentHeight: latentHeight, latentWidth: latentWidth, tile: tileLatentSize ?? self.tileLatentSize)
    }

    /// The same for encoding `batch` images of `imageHeight` × `imageWidth` (multiples of the downsampling factor).
    public func encodePlan(batch: Int, imageHeight: Int, imageWidth: Int, tileLatentSize: Int? = nil) throws -> AutoencoderKLPlan {
        let f = configuration.downsamplingFactor
        return try plan(.encode, batch: batch, latentHeight: imageHeight / f, latentWidth: imageWidth / f,
                        tile: tileLatentSize ?? self.tileLatentSize)
    }

    func plan(_ direction: AutoencoderKLPlan.Direction, batch: Int, latentHeight h: Int, latentWidth w: Int, tile requested: Int?) throws -> AutoencoderKLPlan {
        try AutoencoderKLPlan(configuration, direction, batch: batch, latentHeight: h, latentWidth: w, tileLatentSize: requested,
                              limitBytes: backend.maxTensorBytes, backendName: backend.name)
    }
}

extension AutoencoderKLPlan {
    /// The plan for a VAE of `configuration` on a backend binding at most `limitBytes` per tensor: the whole batch
    /// if its estimate fits, else one image at a time, else tiles of `tileLatentSize` (nil: the largest power of
    /// two from 4 up whose estimate fits), the batch together if it fits, else an image at a time. Throws when
    /// nothing fits.
    public init(_ configuration: AutoencoderKLConfiguration, _ direction: Direction, batch: Int, latentHeight h: Int, latentWidth w: Int,
                tileLatentSize requested: Int? = nil, limitBytes limit: Int, backendName: String) throws {
        let factor = configuration.downsamplingFactor
        // The VAE's attention runs with the default budget, lowered to the backend's limit.
        let budget = MultiHeadAttention.effectiveScoreBudget(limitBytes: limit)
        func estimate(_ images: Int, _ tile: Int?) -> Int {
            let (th, tw) = tile.map { (min($0, h), min($0, w)) } ?? (h, w)
            let pass = configuration.largestBufferBytes(direction, images: images, latentHeight: th, latentWidth: tw, scoreBudget: budget)
            // Tiles are assembled into the batch's output (and the input is sliced from the whole batch).
            let assembled = 4 * batch * h * w * (direction == .decode ? configuration.outChannels * factor * factor : 2 * configuration.latentChannels)
            return tile == nil ? pass : max(pass, assembled)
        }
        func plan(_ images: Int, _ tile: Int?) -> AutoencoderKLPlan {
            AutoencoderKLPlan(direction: direction, batch: batch, latentHeight: h, latentWidth: w, downsamplingFactor: factor,
                              imagesPerPass: images, tileLatentSize: tile, tileRequested: tile != nil && requested != nil,
                              largestBufferBytes: estimate(images, tile),
                              wholeBatchBufferBytes: estimate(batch, nil), limitBytes: limit, backendName: backendName)
        }
        // diffusers tiles only inputs larger than one tile.
        let tiles: [Int]
        if let requested {
            guard requested >= 4, requested % 4 == 0 else {
                throw ModelInputError("tile size", "is \(requested) latent pixels; VAE tiles are a multiple of 4 latent pixels (they overlap by a quarter) and at least 4")
            }
            tiles = requested < max(h, w) ? [requested] : []
        } else {
            tiles = sequence(first: 4, next: { $0 * 2 }).prefix { $0 < max(h, w) }.reversed()
        }
        if requested == nil || tiles.isEmpty {
            if estimate(batch, nil) <= limit { self = plan(batch, nil); return }
            if estimate(1, nil) <= limit { self = plan(1, nil); return }
        }
        for tile in tiles {
            if estimate(batch, tile) <= limit { self = plan(batch, tile); return }
            if estimate(1, tile) <= limit { self = plan(1, tile); return }
        }
        let smallest = plan(1, tiles.last)
        throw ModelInputError(direction == .decode ? "latent" : "sample",
                              "a VAE \(direction.rawValue) at \(w * factor)×\(h * factor) needs \(BufferSize.mebibytes(smallest.largestBufferBytes)) buffers even "
                              + (tiles.last.map { "in \($0)×\($0)-latent tiles" } ?? "untiled")
                              + ", more than \(backendName) binds (\(BufferSize.mebibytes(limit))); use smaller images")
    }
}

extension AutoencoderKL {
    /// Has the first plan of each direction that splits the work written to standard error as a note ("note: VAE
    /// decode tiled: …"), so that a command says once why its images are decoded in pieces.
    public func reportSplitPlansOnStandardError() {
        var reported: Set<AutoencoderKLPlan.Direction> = []
        planObserver = { plan in
            guard reported.insert(plan.direction).inserted else { return }
            FileHandle.standardError.write(Data("note: \(plan.description)\n".utf8))
        }
    }
}
