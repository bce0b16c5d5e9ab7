import Compute
import Diffusion

/// Prompts → the UNet's conditioning for one batch: Stable Diffusion 1.x/2.x's `PromptEncoder`, or SDXL's two
/// encoders with the micro-conditioning (`SDXLPromptEncoder`).
public protocol PromptConditioner: AnyObject {
    /// Tokens a prompt may take, start and end tokens included, before the rest is cut off.
    var maxLength: Int { get }
    /// One entry per sample; nil is the unconditional branch: the empty prompt, or zeros where the pipeline's
    /// `force_zeros_for_empty_prompt` says so (SDXL).
    func conditioning(_ prompts: [String?]) throws -> PromptConditioning
}

/// The conditioning of a batch of prompts, and the indices of prompts cut to fit.
public struct PromptConditioning {
    public let conditioning: Conditioning
    public let truncatedPrompts: [Int]
}

extension PromptEncoder: PromptConditioner {
    public var maxLength: Int { tokenizer.maxLength }

    public func conditioning(_ prompts: [String?]) throws -> PromptConditioning {
        let encoding = try encode(prompts.map { $0 ?? "" })
        return PromptConditioning(conditioning: encoding.conditioning, truncatedPrompts: encoding.truncatedPrompts)
    }
}
