import Diffusion

/// The knobs of the samplers (`--order`, `--edict-p`, `--bdia-gamma`, …) and the sampler each choice makes.
public struct SamplerSettings: Sendable, Equatable {
    /// BELM's number of states per step; 2 is O-BELM.
    public var belmOrder: Int
    public var edictP: Double
    /// EDICT's official leapfrog update order (off: the BELM paper's order, x first).
    public var edictLeapfrog: Bool
    public var bdiaGamma: Double
    /// Where the chain ends and what the model is told there (official BELM code by default).
    public var convention: BoundaryConvention

    public init(belmOrder: Int = 2, edictP: Double = 0.93, edictLeapfrog: Bool = false, bdiaGamma: Double = 1.0,
                convention: BoundaryConvention = .official) {
        self.belmOrder = belmOrder
        self.edictP = edictP
        self.edictLeapfrog = edictLeapfrog
        self.bdiaGamma = bdiaGamma
        self.convention = convention
    }

    /// Every knob at its default: what the command line and the site config run with when not told otherwise.
    public static let defaults = SamplerSettings()

    public func sampler(_ choice: SamplerChoice) throws -> any Sampler {
        switch choice {
        case .ddim: return DDIMSampler()
        case .edict: return try EDICTSampler(p: edictP, leapfrog: edictLeapfrog)
        case .bdia: return try BDIASampler(gamma: bdiaGamma)
        case .belm: return belmOrder == 2 ? OBELMSampler() : try BELMSampler(order: belmOrder)
        }
    }

    /// The name a choice goes by in records and file names: `belm` is O-BELM, `belm3` the 3-step BELM.
    public func recordName(_ choice: SamplerChoice) -> String {
        choice == .belm && belmOrder != 2 ? "belm\(belmOrder)" : choice.rawValue
    }

    /// How the site names a choice in headings and legends: `O-BELM`, or `BELM (order 3)` for the other orders.
    public func displayName(_ choice: SamplerChoice) -> String {
        choice == .belm && belmOrder != 2 ? "BELM (order \(belmOrder))" : choice.displayName
    }

    /// The heading of a record's sampler name (`recordName`): `belm3` → `BELM (order 3)`; nil for a name
    /// no choice goes by.
    public static func displayName(recordName name: String) -> String? {
        if let choice = SamplerChoice(rawValue: name) { return choice.displayName }
        guard name.hasPrefix("belm"), let order = Int(name.dropFirst(4)), order > 2 else { return nil }
        return SamplerSettings(belmOrder: order).displayName(.belm)
    }

    /// Parses `--sampler` values, with the choices listed when one is unknown.
    public static func choices(_ text: String) throws -> [SamplerChoice] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ExperimentError("--sampler is empty; choose from \(SamplerChoice.allCases.map(\.rawValue).joined(separator: ", "))") }
        return try names.map { name in
            guard let choice = SamplerChoice(rawValue: name.lowercased()) else {
                throw ExperimentError("unknown sampler \"\(name)\"; choose from \(SamplerChoice.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return choice
        }
    }
}

import Foundation
