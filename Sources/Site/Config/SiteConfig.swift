import Compute
import Experiments

/// A model the config names: `shapes: builtin:shapes`, or a folder with how to get it.
public struct ModelEntry: Sendable, Equatable {
    public var name: String
    /// `builtin:shapes`, `gmm:/abs/dir`, or an absolute diffusers folder path.
    public var source: String
    /// Shown when the folder is missing: the command that downloads it.
    public var fetch: String?
    /// How its UNet and text encoder weights are stored (`precision:`); its experiments run at it.
    public var precision: Precision = .standard
}

/// One experiment of the site: the request the runner gets, plus how its page presents it.
public struct ExperimentSpec: Sendable, Equatable {
    public var request: ExperimentRequest
    public var title: String
    public var summary: String?
    /// Where it is written in the config, for errors found later (a model that cannot load).
    public var line: Int?
}

/// The site's config (site/belm.yml), fully checked and with every default filled in.
public struct SiteConfig: Sendable, Equatable {
    /// The config file, as given; used in messages.
    public var file: String
    /// The folder the config lives in; relative paths in it are relative to this.
    public var directory: String
    public var title: String
    public var subtitle: String?
    public var summary: String?
    public var backend: String
    public var bibtex: String?
    public var models: [ModelEntry]
    public var experiments: [ExperimentSpec]
    /// Folder of the built-in templates (`Templates/` at the repository root by default).
    public var templatesDirectory: String
    /// Folder whose `*.md.mustache` files become extra pages, and whose `templates/` overrides built-ins.
    public var pagesDirectory: String
    public var overridesDirectory: String
    /// The exact text of the config file, shown on the reproducibility page.
    public var sourceText: String
}
