import Compute

/// Where a chain stands: the state x at grid state `index`, plus what exact reconstruction needs besides.
///
/// - Two-state samplers (O-BELM, k-step BELM, BDIA): `companions` are the next states in the direction the
///   chain came from — after inversion x_T and then x at state 1, 2, …; after sampling the sample and then
///   the states before it. Sampling from an inverted state with its companions reproduces the data exactly.
/// - EDICT: `companions` holds the auxiliary chain y at the same state.
/// - DDIM: none.
/// Starting from x alone (plain noise, a real image) is always allowed: the samplers start up as the
/// official code does.
public struct SamplerState {
    public var x: Tensor
    public var companions: [Tensor]
    public var index: Int

    public init(x: Tensor, index: Int, companions: [Tensor] = []) {
        self.x = x
        self.index = index
        self.companions = companions
    }

    /// Pure noise x_T at state 0, nothing else known.
    public static func noise(_ x: Tensor) -> SamplerState { SamplerState(x: x, index: 0) }

    /// Data (a clean image or latent) at the end of `grid`, ready to invert.
    public static func data(_ x: Tensor, grid: TimeGrid) -> SamplerState { SamplerState(x: x, index: grid.stepCount) }
}
