import Compute
import Diffusion
import Foundation
import Tensors

/// Stable Diffusion XL's text side: two CLIP tokenizers and text encoders (tokenizer/ + text_encoder/, a
/// CLIPTextModel; tokenizer_2/ + text_encoder_2/, a CLIPTextModelWithProjection whose tokenizer pads with "!").
/// The UNet attends to the penultimate hidden states of both (hidden_states[-2], before the final layer norm),
/// concatenated on the feature axis, and its added embedding takes the second encoder's projected pooled output
/// with the micro-conditioning time ids — diffusers' `StableDiffusionXLPipeline.encode_prompt`.
public final class SDXLPromptEncoder: PromptConditioner {
    public let tokenizers: (first: CLIPTokenizer, second: CLIPTokenizer)
    public let textEncoders: (first: CLIPTextModel, second: CLIPTextModel)
    /// model_index.json's `force_zeros_for_empty_prompt`: the unconditional branch is zeros, not the empty prompt.
    public let forceZerosForEmptyPrompt: Bool
    /// The sizes and crop the time ids tell the UNet.
    public let microConditioning: MicroConditioning

    /// The text states [B, maxLength, width₁ + width₂], pooled [B, projection_dim], and prompts cut to fit.
    public struct Encoding {
        public let hiddenStates: Tensor
        public let pooled: Tensor
        public let truncatedPrompts: [Int]
    }

    /// Checks each tokenizer against its encoder, the shared length, and the second encoder's projection;
    /// `folder` (the pipeline) names the files in errors.
    public init(tokenizers: (CLIPTokenizer, CLIPTokenizer), textEncoders: (CLIPTextModel, CLIPTextModel), folder: URL,
                forceZerosForEmptyPrompt: Bool, microConditioning: MicroConditioning) throws {
        try PromptEncoder.checkPair(tokenizers.0, textEncoders.0, folder: folder, tokenizerName: "tokenizer", encoderName: "text_encoder")
        try PromptEncoder.checkPair(tokenizers.1, textEncoders.1, folder: folder, tokenizerName: "tokenizer_2", encoderName: "text_encoder_2")
        guard tokenizers.0.maxLength == tokenizers.1.maxLength else {
            throw TensorFileError(folder.appendingPathComponent("tokenizer_2/tokenizer_config.json"),
                                  "model_max_length is \(tokenizers.1.maxLength), but tokenizer/'s is \(tokenizers.0.maxLength); the two encoders' states are joined token by token, so both must be the same (77 for SDXL)")
        }
        guard textEncoders.1.hasProjection else {
            throw TensorFileError(folder.appendingPathComponent("text_encoder_2/model.safetensors"),
                                  "has no tensor 'text_projection.weight'; SDXL's text_encoder_2 is a CLIPTextModelWithProjection, whose projected pooled output the UNet's added embedding takes")
        }
        self.tokenizers = (tokenizers.0, tokenizers.1)
        self.textEncoders = (textEncoders.0, textEncoders.1)
        self.forceZerosForEmptyPrompt = forceZerosForEmptyPrompt
        self.microConditioning = microConditioning
    }

    /// Loads tokenizer/, tokenizer_2/, text_encoder/ and text_encoder_2/ of an SDXL folder; a missing one is an
    /// error naming it. `precision` is both encoders' linear weights'.
    public static func load(modelFolder url: URL, forceZerosForEmptyPrompt: Bool, microConditioning: MicroConditioning,
                            precision: Precision = .standard, backend: any Backend) throws -> SDXLPromptEncoder {
        for component in ["tokenizer", "tokenizer_2", "text_encoder", "text_encoder_2"]
        where !FileManager.default.fileExists(atPath: url.appendingPathComponent(component).path) {
            throw TensorFileError(url.appendingPathComponent(component), "is missing: a Stable Diffusion XL pipeline needs tokenizer/, tokenizer_2/, text_encoder/ and text_encoder_2/; check that it was downloaded completely")
        }
        let tokenizers = (try CLIPTokenizer.load(folder: url.appendingPathComponent("tokenizer")),
                          try CLIPTokenizer.load(folder: url.appendingPathComponent("tokenizer_2")))
        let encoders = (try CLIPTextModel.load(folder: url.appendingPathComponent("text_encoder"), backend: backend, precision: precision),
                        try CLIPTextModel.load(folder: url.appendingPathComponent("text_encoder_2"), backend: backend, precision: precision))
        return try SDXLPromptEncoder(tokenizers: tokenizers, textEncoders: encoders, folder: url,
                                     forceZerosForEmptyPrompt: forceZerosForEmptyPrompt, microConditioning: microConditioning)
    }

    public var maxLength: Int { tokenizers.first.maxLength }
    /// Width of the text states: both encoders' hidden sizes (the UNet's cross_attention_dim).
    public var hiddenWidth: Int { textEncoders.first.config.hiddenSize + textEncoders.second.config.hiddenSize }
    /// Width of the pooled embedding (text_encoder_2's projection_dim).
    public var pooledWidth: Int { textEncoders.second.config.projectionDim }

    /// Prompts, each through both encoders.
    public func encode(_ prompts: [String]) throws -> Encoding {
        precondition(!prompts.isEmpty, "encode needs at least one prompt")
        var truncated = Set<Int>()
        var states: [Tensor] = []
        var pooled: Tensor?
        for (tokenizer, encoder) in [(tokenizers.first, textEncoders.first), (tokenizers.second, textEncoders.second)] {
            let encodings = prompts.map(tokenizer.encode)
            truncated.formUnion(encodings.indices.filter { encodings[$0].isTruncated })
            let ids = HostIntTensor(shape: [prompts.count, tokenizer.maxLength], scalars: encodings.flatMap { $0.ids.map(Int64.init) })
            let outputs = try encoder.outputs(inputIDs: ids)
            states.append(outputs.penultimateHiddenState)
            pooled = outputs.textEmbeds  // the second encoder's, as diffusers keeps
        }
        let backend = textEncoders.first.backend
        return Encoding(hiddenStates: backend.concat(states, axis: 2), pooled: pooled!, truncatedPrompts: truncated.sorted())
    }

    /// nil entries are the unconditional branch: zeros for both embeddings under force_zeros_for_empty_prompt
    /// (diffusers does so when there is no negative prompt), else the empty prompt. The time ids are the same
    /// for every sample.
    public func conditioning(_ prompts: [String?]) throws -> PromptConditioning {
        precondition(!prompts.isEmpty, "a batch has at least one prompt")
        let backend = textEncoders.first.backend
        let timeIDs = Array([[Double]](repeating: microConditioning.timeIDs, count: prompts.count).joined())
        let given = prompts.indices.filter { prompts[$0] != nil || !forceZerosForEmptyPrompt }
        let encoding = given.isEmpty ? nil : try encode(given.map { prompts[$0] ?? "" })
        // Rows in batch order: the encoded ones where given, zeros elsewhere.
        func rows(_ encoded: Tensor?, width: [Int]) -> Tensor {
            guard let encoded else { return backend.zeros([prompts.count] + width) }
            if given.count == prompts.count { return encoded }
            var next = 0
            return backend.concat(prompts.indices.map { index in
                guard given.contains(index) else { return backend.zeros([1] + width) }
                defer { next += 1 }
                return backend.slice(encoded, axis: 0, range: next..<(next + 1))
            }, axis: 0)
        }
        let states = rows(encoding?.hiddenStates, width: [maxLength, hiddenWidth])
        let pooled = rows(encoding?.pooled, width: [pooledWidth])
        return PromptConditioning(conditioning: .textAndAdded(states: states, pooled: pooled, timeIDs: timeIDs),
                                  truncatedPrompts: (encoding?.truncatedPrompts ?? []).map { given[$0] })
    }
}
