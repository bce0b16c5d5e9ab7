/// The ranges a diffusers config's sizes must lie in. Far above every released checkpoint (Stable Diffusion
/// XL: 1280 channels, 128-latent samples, 4 levels; DDPM CelebA-HQ: 6 levels at 256 pixels), yet small enough
/// that no size derived from them (a time embedding of 4 × channels, a sample of 2^(levels − 1) pixels a side,
/// one sample's buffers) overflows or asks for terabytes: a config out of range is a corrupt or hostile file,
/// and is refused naming the field and the range before anything is allocated.
public enum ModelSizeLimits {
    /// Channels of any layer: block_out_channels, in/out/latent channels, cross_attention_dim, time_embedding_dim.
    public static let channels = 1...16_384
    /// A UNet's sample side (sample_size): pixels for pixel-space models, latents for Stable Diffusion.
    public static let sampleSize = 1...4_096
    /// Resolution levels (entries of block_out_channels): a sample side must be a multiple of 2^(levels − 1).
    public static let levels = 1...12
    /// Resnets per level, and transformer layers per attention block.
    public static let layersPerBlock = 1...64
    /// Group-norm groups, and attention heads or head widths.
    public static let groupsOrHeads = 1...16_384
    /// Rows of a class embedding (num_class_embeds).
    public static let classes = 1...1_048_576
}
