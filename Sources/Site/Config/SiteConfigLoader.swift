import Compute
import Diffusion
import Experiments
import FID
import Foundation
import Models
import Yams

/// Reads site/belm.yml into a `SiteConfig`. Every mistake is a `ConfigError` with the file, the line and
/// what to write instead.
public enum SiteConfigLoader {
    static let topKeys = ["title", "subtitle", "description", "backend", "bibtex", "models", "experiments",
                          "templates", "pages"]
    static let experimentKeys = ["name", "kind", "title", "description", "model", "samplers", "steps", "seeds",
                                 "count", "classes", "prompts", "prompts_file", "targets", "freeze_step", "guidance", "edict_p",
                                 "bdia_gamma", "order", "edict_leapfrog", "convention", "frames", "spread", "images", "gallery", "export", "fid",
                                 "original_size", "crop_top_left", "target_size"]
    static let modelKeys = ["path", "fetch", "precision"]

    /// Loads and checks the file at `path`. `backends` are the backend names this build can run.
    public static func load(path: String, backends: [String]) throws -> SiteConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigError(file: path, exists ? "cannot be read; check its permissions"
                                                 : "no such config file; pass --config with the path of a belm.yml (site/belm.yml is the default)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, "is not UTF-8 text; save it as UTF-8")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
        return try parse(text, file: path, directory: directory, backends: backends)
    }

    /// Parses config text; `directory` anchors relative paths.
    public static func parse(_ text: String, file: String, directory: String, backends: [String]) throws -> SiteConfig {
        try YAMLNestingLimit.check(text, file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: 1, "the file is empty; start from site/belm.yml in the repository")
            }
            root = node
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        }
        let top = try YAMLValue(node: root, file: file, path: "the config").mapping(allowed: topKeys)
        func required(_ key: String, _ hint: String) throws -> YAMLValue {
            guard let value = top[key] else { throw ConfigError(file: file, line: 1, "missing key '\(key)'; \(hint)") }
            return value
        }

        let title = try required("title", "add a line like `title: My comparison`").string()
        let backend = try top["backend"].map { value -> String in
            let name = try value.string()
            guard backends.contains(name) else {
                throw value.error("unknown backend '\(name)'" + Suggestion.didYouMean(name, among: backends))
            }
            return name
        } ?? "cpu"

        let models = try readModels(try required("models", "add e.g. `models: {shapes: builtin:shapes}`"), directory: directory)
        let experimentsValue = try required("experiments", "add a list of experiments (see site/belm.yml)")
        var experiments: [ExperimentSpec] = []
        for (index, listed) in try experimentsValue.list().enumerated() {
            let item = YAMLValue(node: listed.node, file: file, path: "experiment \(index + 1)")
            let spec = try readExperiment(item, models: models, directory: directory)
            if let clash = experiments.first(where: { $0.request.name == spec.request.name }) {
                throw item.error("two experiments are named '\(spec.request.name)' (the other on line \(clash.line ?? 0)); names must be unique")
            }
            experiments.append(spec)
        }
        if experiments.isEmpty { throw experimentsValue.error("the experiments list is empty; add at least one") }

        func folder(_ key: String, default fallback: String) throws -> String {
            let given = try top[key]?.string() ?? fallback
            return resolve(given, against: directory)
        }
        let pages = try folder("pages", default: "pages")
        return SiteConfig(
            file: file, directory: directory, title: title,
            subtitle: try top["subtitle"]?.string(), summary: try top["description"]?.string(),
            backend: backend, bibtex: try top["bibtex"]?.string(), models: models, experiments: experiments,
            templatesDirectory: try top["templates"].map { resolve(try $0.string(), against: directory) } ?? builtinTemplates(file: file),
            pagesDirectory: pages, overridesDirectory: pages + "/templates", sourceText: text)
    }

    /// belm's own templates, for a config without `templates:`.
    private static func builtinTemplates(file: String) throws -> String {
        guard let found = BuiltinTemplates.locate() else {
            throw ConfigError(file: file, "belm's built-in templates were not found (looked in \(BuiltinTemplates.searchRoots.map(\.path).joined(separator: ", "))); install belm with `make install PREFIX=…`, or set `templates:` to a folder of templates")
        }
        return found.path
    }

    private static func readModels(_ value: YAMLValue, directory: String) throws -> [ModelEntry] {
        var models: [ModelEntry] = []
        for (name, keyValue, entry) in try value.entries() {
            guard name.range(of: "^[A-Za-z0-9_.-]+$", options: .regularExpression) != nil else {
                throw keyValue.error("model name '\(name)' may only use letters, digits, '-', '_' and '.'")
            }
            var source: String, fetch: String?, sourceValue = entry, precision = Precision.standard
            if case .mapping = entry.node {
                let fields = try entry.mapping(allowed: modelKeys)
                guard let path = fields["path"] else { throw entry.error("model '\(name)' needs a `path:` (a diffusers folder or builtin:shapes)") }
                source = try path.string()
                sourceValue = path
                fetch = try fields["fetch"]?.string()
                if let value = fields["precision"] {
                    precision = try value.choice(Precision.self)
                    if precision != .fp32, source == "builtin:shapes" || source.hasPrefix("gmm:") {
                        throw value.error("model '\(name)' is the reference model, computed exactly in fp32; remove `precision: \(precision.rawValue)` (it applies to diffusers models)")
                    }
                }
            } else {
                source = try entry.string()
            }
            models.append(ModelEntry(name: name, source: try resolveModel(source, value: sourceValue, name: name, fetch: fetch, directory: directory),
                                     fetch: fetch, precision: precision))
        }
        if models.isEmpty { throw value.error("no models; add e.g. `shapes: builtin:shapes`") }
        return models
    }

    /// Checks a model source and makes folder paths absolute. A missing folder is reported here, with the
    /// fetch command when the config gives one, before any experiment starts.
    private static func resolveModel(_ source: String, value: YAMLValue, name: String, fetch: String?, directory: String) throws -> String {
        let reference: ModelReference
        do {
            reference = try ModelReference(parsing: source)
        } catch let error as ImageFileError {
            guard source.hasPrefix("builtin:") else { throw value.error("model '\(name)': '\(source)' \(error.reason)") }
            throw value.error("unknown built-in model '\(source)'" + Suggestion.didYouMean(source, among: ModelReference.builtinValues))
        }
        guard let folder = reference.folder else { return source }
        let path = resolve(folder, against: directory)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            var message = "model '\(name)': folder \(path) does not exist"
            if let fetch { message += "; fetch it with: \(fetch)" } else { message += "; download the model there, or point `\(name):` at it" }
            throw value.error(message)
        }
        return reference.with(folder: path).description
    }

    private static func readExperiment(_ item: YAMLValue, models: [ModelEntry], directory: String) throws -> ExperimentSpec {
        let fields = try item.mapping(allowed: experimentKeys)
        guard let kindValue = fields["kind"] else {
            throw item.error("experiment needs a `kind:` (\(ExperimentKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let kind = try kindValue.choice(ExperimentKind.self)
        let name = try fields["name"]?.string() ?? kind.rawValue
        guard name.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil,
              !["index", "reproducibility"].contains(name) else {
            throw (fields["name"] ?? item).error("experiment name '\(name)' must be lower-case letters, digits and '-' (it names a page), and not 'index' or 'reproducibility'")
        }
        let label = "experiment '\(name)'"
        func at(_ key: String) -> YAMLValue? {
            fields[key].map { YAMLValue(node: $0.node, file: $0.file, path: "\(label), key '\(key)'") }
        }

        let model: ModelEntry
        if let modelValue = at("model") {
            let modelName = try modelValue.string()
            guard let found = models.first(where: { $0.name == modelName }) else {
                throw modelValue.error("\(label) uses model '\(modelName)', which `models:` does not define" + Suggestion.didYouMean(modelName, among: models.map(\.name)))
            }
            model = found
        } else if models.count == 1 {
            model = models[0]
        } else {
            throw item.error("\(label) needs `model:` (one of \(models.map(\.name).joined(separator: ", ")))")
        }

        let samplers = try at("samplers").map { try $0.listOrSingle().map { try $0.choice(SamplerChoice.self) } } ?? SamplerChoice.allCases
        if samplers.isEmpty { throw at("samplers")!.error("\(label) has no samplers; list some of ddim, edict, bdia, belm") }
        if Set(samplers).count != samplers.count { throw at("samplers")!.error("\(label) lists a sampler twice") }
        let steps = try at("steps").map { try $0.listOrSingle().map { try $0.int(in: 1...1000) } } ?? [10, 20, 50]
        if steps.isEmpty { throw at("steps")!.error("\(label) has no step counts") }
        let seeds = try at("seeds").map { try $0.listOrSingle().map { try $0.int(in: 0...Int(UInt32.max)) } } ?? [0]
        if seeds.isEmpty { throw at("seeds")!.error("\(label) has no seeds") }
        let classes = try at("classes").map { try $0.listOrSingle().map { try $0.int(in: 0...100_000) } } ?? []
        var prompts = try at("prompts").map { try $0.listOrSingle().map { try $0.string() } } ?? []
        if let file = at("prompts_file") {
            guard prompts.isEmpty else { throw file.error("\(label) gives both `prompts:` and `prompts_file:`; give one") }
            prompts = try readPrompts(file, label: label, directory: directory)
        }
        let targets = try at("targets").map { try $0.listOrSingle().map { try $0.string() } } ?? []
        if kind == .editing {
            let sources = classes.isEmpty ? prompts.count : classes.count
            if targets.isEmpty || targets.count != sources {
                throw (at("targets") ?? item).error("\(label) needs one target per \(classes.isEmpty ? "prompt" : "class") (\(sources) given), e.g. `targets: [\"a photo of a dog\"]`")
            }
        }
        if kind == .editing && !classes.isEmpty, let bad = targets.first(where: { Int($0) == nil }) {
            throw at("targets")!.error("\(label) edits classes, so its targets must be class numbers, found '\(bad)'")
        }
        if !classes.isEmpty && !prompts.isEmpty {
            throw (at("prompts") ?? item).error("\(label) gives both classes and prompts; a model takes one or the other")
        }
        // Unset knobs keep the samplers' own defaults (`SamplerSettings.defaults`), as on the command line.
        var sampler = SamplerSettings.defaults
        if let value = at("edict_p") { sampler.edictP = try value.double() }
        if let value = at("bdia_gamma") { sampler.bdiaGamma = try value.double() }
        if let value = at("order") { sampler.belmOrder = try value.int() }
        if let value = at("edict_leapfrog") { sampler.edictLeapfrog = try value.bool() }
        if let value = at("convention") { sampler.convention = try value.choice(BoundaryConvention.self) }
        // Stable Diffusion XL's micro-conditioning, written as on the command line (`1024x768`, `0,0`).
        func pixels<Value>(_ key: String, _ parse: (String) throws -> Value) throws -> Value? {
            guard let value = at(key) else { return nil }
            do { return try parse(try value.string()) } catch let error as PixelValueError { throw value.error("\(label), key '\(key)': \(error)") }
        }
        let microConditioning = MicroConditioningSettings(originalSize: try pixels("original_size", PixelSize.init(parsing:)),
                                                          cropTopLeft: try pixels("crop_top_left", PixelOffset.init(parsing:)),
                                                          targetSize: try pixels("target_size", PixelSize.init(parsing:)))
        let request = ExperimentRequest(
            name: name, kind: kind, model: model.source, samplers: samplers, steps: steps.sorted(), seeds: seeds,
            count: try at("count")?.int(in: 1...1_000_000) ?? 4, classes: classes, prompts: prompts, targets: targets,
            freezeStep: try at("freeze_step")?.int(in: 0...1000), guidance: try at("guidance")?.double(), sampler: sampler,
            frames: try at("frames")?.int(in: 2...64) ?? 7, spread: try at("spread")?.double(in: 0.001...10),
            images: try at("images").map { resolve(try $0.string(), against: directory) },
            gallery: try at("gallery")?.int(in: 1...256) ?? ExperimentRequest.defaultGallery,
            exportSamples: try at("export").map { try $0.choice(ExportChoice.self) == .samples } ?? false,
            fid: try at("fid").map { try readFID($0, kind: kind, label: label, directory: directory) }, precision: model.precision,
            microConditioning: microConditioning.isDefault ? nil : microConditioning)
        if request.exportSamples && !WorkItems.splitsByIndex(kind) {
            throw at("export")!.error("\(label) is of kind '\(kind.rawValue)'; `export: samples` applies to sampling and reconstruction")
        }
        if Set(request.steps).count != request.steps.count { throw at("steps")!.error("\(label) lists a step count twice") }
        // The experiments' own checks, so that the config refuses what a run would refuse.
        do {
            try request.validate()
        } catch let invalid as InvalidSetting {
            let key = invalid.parameter.configKey
            throw (at(key) ?? item).error("\(label), key '\(key)' \(invalid.problem)")
        }
        return ExperimentSpec(request: request, title: try at("title")?.string() ?? defaultTitle(kind),
                              summary: try at("description")?.string(), line: item.line)
    }

    /// `fid: {inception: PATH, reference: DIR_or_NPZ}`, paths relative to the config, checked here so that a
    /// missing file is reported before any sample is drawn.
    /// `prompts_file:`: a UTF-8 text file with one prompt a line (a caption file such as COCO's, extracted
    /// once), blank lines skipped; sample i takes prompt i modulo their count.
    static func readPrompts(_ value: YAMLValue, label: String, directory: String) throws -> [String] {
        let path = resolve(try value.string(), against: directory)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw value.error("\(label): `prompts_file:` \(path) cannot be read as UTF-8 text (\(error.localizedDescription)); give a text file with one prompt a line")
        }
        let prompts = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !prompts.isEmpty else { throw value.error("\(label): `prompts_file:` \(path) holds no prompt; give one prompt a line") }
        return prompts
    }

    static func readFID(_ value: YAMLValue, kind: ExperimentKind, label: String, directory: String) throws -> FIDSetting {
        guard kind == .sampling else {
            throw value.error("\(label) is of kind '\(kind.rawValue)'; `fid:` applies to sampling experiments")
        }
        let fields = try value.mapping(allowed: ["inception", "reference"])
        func path(_ key: String, _ hint: String) throws -> (String, YAMLValue) {
            guard let given = fields[key] else { throw value.error("\(label): `fid:` needs `\(key):` (\(hint))") }
            return (resolve(try given.string(), against: directory), given)
        }
        let (inception, inceptionValue) = try path("inception", "the FID Inception weights, a safetensors file")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inception, isDirectory: &isFolder), !isFolder.boolValue else {
            throw inceptionValue.error("\(label): `fid: inception:` \(inception) is not a file. \(InceptionCheckpoint.whereToGetItText)")
        }
        let (reference, referenceValue) = try path("reference", "a folder of reference images, or an .npz of their mu and sigma")
        let setting = FIDSetting(inception: inception, reference: reference)
        let exists = FileManager.default.fileExists(atPath: reference, isDirectory: &isFolder)
        guard exists && (isFolder.boolValue || setting.referenceIsStatistics) else {
            throw referenceValue.error(exists
                ? "\(label): `fid: reference:` \(reference) is a file but not an .npz; give a folder of PNG/JPEG images or an .npz of mu and sigma (belm fid-stats writes one)"
                : "\(label): `fid: reference:` \(reference) does not exist; give a folder of PNG/JPEG images or an .npz of mu and sigma (belm fid-stats writes one)")
        }
        return setting
    }

    /// The values of `export:`.
    enum ExportChoice: String, CaseIterable {
        /// Every sample of the first seed as a PNG under samples/.
        case samples
    }

    static func defaultTitle(_ kind: ExperimentKind) -> String {
        switch kind {
        case .sampling: "Sampling"
        case .reconstruction: "Reconstruction"
        case .interpolation: "Interpolation"
        case .editing: "Editing"
        case .convergence: "Convergence"
        }
    }

    static func resolve(_ path: String, against directory: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : URL(fileURLWithPath: directory).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            var message = "YAML syntax: \(problem)"
            if let context { message += " (\(context.text) on line \(context.mark.line))" }
            message += "; check the indentation and quote values that contain ':' or '#'"
            return ConfigError(file: file, line: mark.line, column: mark.column, message)
        default:
            return ConfigError(file: file, "YAML: \(error)")
        }
    }
}
