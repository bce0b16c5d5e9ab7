import Experiments
import Foundation
import Models
import Mustache

/// Turns `SiteResults` into the files of the site: pages (Mustache → Markdown → cmark → layout), images,
/// figures, metrics.json and metrics.csv. Pure: the same results and templates give the same bytes.
struct SiteRenderer {
    let results: SiteResults
    let templates: TemplateSet

    static func neededTemplates(for config: SiteConfig) -> [String] {
        ["index", "paper-kit", "reproducibility"] + Array(Set(config.experiments.map(\.request.kind.rawValue))).sorted()
    }

    /// A page of the site: its file name, its title in the navigation, and its template.
    struct Page {
        var file: String
        var title: String
        var template: String
    }

    var pages: [Page] {
        var pages = [Page(file: "index.html", title: "Overview", template: "index")]
        pages += results.outcomes.map { Page(file: "\($0.spec.request.name).html", title: $0.spec.title, template: $0.spec.request.kind.rawValue) }
        pages += templates.extraPages.map { Page(file: "\($0).html", title: Self.titleFromName($0), template: $0) }
        pages.append(Page(file: "paper-kit.html", title: "Paper kit", template: "paper-kit"))
        pages.append(Page(file: "reproducibility.html", title: "Reproducibility", template: "reproducibility"))
        return pages
    }

    func render() throws -> SiteFiles {
        var files = SiteFiles()
        for (path, data) in templates.assets { files.add(path, data) }
        let records = results.records.map(Self.relabelled)
        files.add("metrics.json", try MetricsFiles.json(records, provenance: results.provenance(of:)))
        files.add("metrics.csv", try MetricsFiles.csv(records))

        // Experiment pages first: they write the figures the index reuses.
        var previews: [String: String] = [:]
        var experimentContexts: [[String: Any]] = []
        var kit = PaperKit()
        for outcome in results.outcomes {
            var fragments = FragmentTable()
            let name = outcome.spec.request.name
            let figureHTML = try outcome.result.figures(of: outcome.spec.request).map {
                try FigureGallery.render($0, experiment: name, experimentTitle: outcome.spec.title, into: &files, kit: &kit)
            }
            let experimentRecords = outcome.result.records.map(Self.relabelled).sorted(by: MetricRecord.canonicalOrder)
            let isConvergence = outcome.spec.request.kind == .convergence
            var context = baseContext()
            let experiment = experimentContext(outcome)
            context["experiment"] = experiment
            context["figures"] = fragments.placeholder(for: figureHTML.joined())
            context["has_figures"] = !figureHTML.isEmpty
            context["metrics_table"] = fragments.placeholder(for: MetricTables.perMetric(experimentRecords))
            context["has_metrics"] = !experimentRecords.isEmpty
            LaTeXTables.render(experimentRecords, experiment: name, title: outcome.spec.title, into: &files, kit: &kit)
            let plots = try ErrorPlots.render(experimentRecords, experiment: name, experimentTitle: outcome.spec.title, showOrders: isConvergence,
                                              into: &files, kit: &kit)
            context["plots"] = fragments.placeholder(for: plots)
            // The index previews each experiment with its first figure, or its plots when it has none.
            previews[name] = figureHTML.first ?? plots
            context["has_plots"] = !plots.isEmpty
            let orders = ErrorPlots.ordersTable(experimentRecords)
            context["orders_table"] = fragments.placeholder(for: orders)
            context["has_orders"] = !orders.isEmpty
            context["notes"] = outcome.result.notes
            context["has_notes"] = !outcome.result.notes.isEmpty
            try files.add("\(name).html", page("\(name).html", title: outcome.spec.title, template: outcome.spec.request.kind.rawValue, context: context, fragments: fragments))
            experimentContexts.append(experiment)
        }

        files.add("tables/all.tex", LaTeXTables.all(kit.tables.map(\.path)))

        var fragments = FragmentTable()
        var context = baseContext()
        context["headline_table"] = fragments.placeholder(for: headlineTable(records))
        context["experiments"] = zip(results.outcomes, experimentContexts).map { outcome, experiment -> [String: Any] in
            var entry = experiment
            entry["preview"] = fragments.placeholder(for: previews[outcome.spec.request.name] ?? "")
            return entry
        }
        context["bibtex_box"] = fragments.placeholder(for: bibtexBox())
        try files.add("index.html", page("index.html", title: results.config.title, template: "index", context: context, fragments: fragments))

        for name in templates.extraPages {
            try files.add("\(name).html", page("\(name).html", title: Self.titleFromName(name), template: name, context: baseContext(), fragments: FragmentTable()))
        }
        var kitFragments = FragmentTable()
        var kitContext = baseContext()
        kitContext["figures"] = kitFragments.placeholder(for: kit.figuresHTML())
        kitContext["tables"] = kitFragments.placeholder(for: kit.tablesHTML())
        try files.add("paper-kit.html", page("paper-kit.html", title: "Paper kit", template: "paper-kit", context: kitContext, fragments: kitFragments))
        try files.add("reproducibility.html", reproducibilityPage())
        return files
    }

    // MARK: Pages

    private func page(_ file: String, title: String, template: String, context: [String: Any], fragments: FragmentTable) throws -> String {
        guard let pageTemplate = templates.pages[template] else {
            throw ConfigError(file: results.config.templatesDirectory + "/" + template + TemplateSet.pageSuffix, "missing template")
        }
        let markdown = pageTemplate.render(context)
        let body = fragments.substitute(into: MarkdownRenderer.html(markdown))
        var layoutContext = baseContext()
        layoutContext["page"] = ["title": title, "file": file, "is_index": file == "index.html"]
        layoutContext["nav"] = pages.map { ["title": $0.title, "href": $0.file, "current": $0.file == file] }
        layoutContext["content"] = body
        return templates.layout.render(layoutContext)
    }

    private func reproducibilityPage() throws -> String {
        var fragments = FragmentTable()
        var context = baseContext()
        let environment = results.environment
        context["command"] = environment.command
        context["command_block"] = fragments.placeholder(for: "<pre class=\"command\"><code>\(HTMLText.escape(environment.command))</code></pre>")
        context["config_block"] = fragments.placeholder(for: "<pre class=\"config\"><code>\(HTMLText.escape(PublishedPaths.text(results.config.sourceText, configDirectory: results.config.directory)))</code></pre>")
        var env = "<table class=\"facts\"><tbody>\n"
        let compute = environment.compute
        for (key, value) in [("belm", environment.belmVersion), ("Swift", environment.swiftVersion),
                             ("operating system", environment.operatingSystem), ("backend", compute.backend),
                             ("device", compute.device), ("driver", compute.driver ?? "none (the CPU backend)"),
                             // The models' weight precisions (each run's row below names its own).
                             ("precision", Set(results.config.models.map(\.precision)).map(\.rawValue).sorted().joined(separator: ", ")),
                             ("plots drawn with", PlotFonts.shared.description())] {
            env += "<tr><th scope=\"row\">\(HTMLText.escape(key))</th><td>\(HTMLText.escape(value))</td></tr>\n"
        }
        env += "</tbody></table>\n"
        context["environment_table"] = fragments.placeholder(for: env)
        var runs = "<table class=\"metrics runs sortable\"><thead><tr><th data-sort=\"text\">experiment</th><th data-sort=\"text\">kind</th><th data-sort=\"text\">model</th><th data-sort=\"text\">seeds</th><th data-sort=\"number\">seconds</th><th data-sort=\"text\">computed on</th><th data-sort=\"text\">code version</th><th data-sort=\"text\">model digest</th><th data-sort=\"text\">cache key</th></tr></thead><tbody>\n"
        for outcome in results.outcomes {
            let r = outcome.spec.request, run = outcome.run
            let cells = [r.name, r.kind.rawValue, Self.modelLabel(r.model), r.seeds.map(String.init).joined(separator: ", ")]
            runs += "<tr>" + cells.map { "<td>\(HTMLText.escape($0))</td>" }.joined()
            runs += "<td class=\"number\" data-value=\"\(run.seconds)\">\(String(format: "%.1f", run.seconds))</td>"
            runs += [run.compute.summary, run.codeVersion, String(run.modelDigest.prefix(16)), String(run.key.prefix(16))].map { "<td><code>\(HTMLText.escape($0))</code></td>" }.joined()
            runs += "</tr>\n"
        }
        runs += "</tbody></table>\n"
        context["runs_table"] = fragments.placeholder(for: runs)
        context["cells_table"] = fragments.placeholder(for: cellsTable())
        context["total_seconds"] = String(format: "%.1f", results.outcomes.map(\.run.seconds).reduce(0, +))
        return try page("reproducibility.html", title: "Reproducibility", template: "reproducibility", context: context, fragments: fragments)
    }

    /// One row per cell: where its items were computed, every distinct device and software on a line of its own.
    private func cellsTable() -> String {
        var table = "<table class=\"metrics cells sortable\"><thead><tr><th data-sort=\"text\">experiment</th><th data-sort=\"text\">sampler</th><th data-sort=\"number\">steps</th><th data-sort=\"text\">computed on</th></tr></thead><tbody>\n"
        for outcome in results.outcomes {
            for row in outcome.provenance.rows(for: outcome.spec.request) {
                let sources = row.provenance.map { "<code>\(HTMLText.escape($0.summary))</code>" }.joined(separator: "<br>")
                table += "<tr><td>\(HTMLText.escape(outcome.spec.request.name))</td><td>\(HTMLText.escape(row.sampler))</td>"
                table += "<td class=\"number\" data-value=\"\(row.steps)\">\(row.steps)</td><td>\(sources)</td></tr>\n"
            }
        }
        return table + "</tbody></table>\n"
    }

    // MARK: Contexts

    private func baseContext() -> [String: Any] {
        let config = results.config
        var site: [String: Any] = ["title": config.title, "belm_version": results.environment.belmVersion]
        if let subtitle = config.subtitle { site["subtitle"] = subtitle }
        if let summary = config.summary { site["description"] = summary }
        return ["site": site]
    }

    private func experimentContext(_ outcome: ExperimentOutcome) -> [String: Any] {
        let r = outcome.spec.request
        var context: [String: Any] = [
            "name": r.name, "title": outcome.spec.title, "kind": r.kind.rawValue, "href": "\(r.name).html",
            "model": Self.modelLabel(r.model),
            "samplers": r.samplers.map(r.samplerSettings.displayName).joined(separator: ", "),
            "steps": r.steps.map(String.init).joined(separator: ", "),
            "seeds": r.seeds.map(String.init).joined(separator: ", "),
            "count": r.count, "edict_p": r.edictP, "bdia_gamma": r.bdiaGamma, "frames": r.frames,
            "seconds": String(format: "%.1f", outcome.run.seconds),
        ]
        if let summary = outcome.spec.summary { context["summary"] = summary }
        if !r.classes.isEmpty { context["classes"] = r.classes.map(String.init).joined(separator: ", ") }
        context["prompts"] = r.prompts
        context["has_prompts"] = !r.prompts.isEmpty
        context["has_edits"] = !r.targets.isEmpty
        if !r.targets.isEmpty {
            let sources = r.prompts.isEmpty ? r.classes.map { "class \($0)" } : r.prompts
            let targets = r.prompts.isEmpty ? r.targets.map { "class \($0)" } : r.targets
            context["edits"] = zip(sources, targets).map { ["source": $0, "target": $1] }
        }
        if let guidance = r.guidance { context["guidance"] = guidance }
        if let freeze = r.freezeStep { context["freeze_step"] = freeze }
        if let spread = r.spread { context["spread"] = spread }
        return context
    }

    /// Samplers as rows; per experiment each quality metric at the middle step count, plus measured
    /// convergence orders for convergence experiments.
    private func headlineTable(_ records: [MetricRecord]) -> String {
        var columns: [MetricTables.HeadlineColumn] = []
        for outcome in results.outcomes {
            let name = outcome.spec.request.name
            let rows = records.filter { $0.experiment == name && !MetricTables.costMetrics.contains($0.metric) }
            for metric in MetricTables.sortedMetrics(Set(rows.map(\.metric))) {
                let steps = Set(rows.filter { $0.metric == metric }.map(\.steps)).sorted()
                let middle = steps[(steps.count - 1) / 2]
                let values = Dictionary(rows.filter { $0.metric == metric && $0.steps == middle }.map { ($0.sampler, $0.value) }, uniquingKeysWith: { a, _ in a })
                columns.append(.init(title: "\(outcome.spec.title) · \(MetricTables.metricTitle(metric)) @ \(middle) steps", href: "\(name).html",
                                     lowerIsBetter: MetricRecord.lowerIsBetter(metric), values: values))
            }
            if outcome.spec.request.kind == .convergence {
                for metric in ErrorPlots.errorMetrics where Set(rows.filter({ $0.metric == metric }).map(\.steps)).count >= 2 {
                    let values = Dictionary(uniqueKeysWithValues: MetricTables.orderedSamplers(rows.filter { $0.metric == metric }).compactMap { s in
                        ErrorPlots.order(ErrorPlots.points(rows, metric: metric, sampler: s)).map { (s, $0) }
                    })
                    columns.append(.init(title: "\(outcome.spec.title) · order of \(MetricTables.metricTitle(metric))", href: "\(name).html", lowerIsBetter: false, values: values))
                }
            }
        }
        guard !columns.isEmpty else { return "<p>No metrics were recorded.</p>" }
        return MetricTables.headline(columns, samplers: MetricTables.orderedSamplers(records))
    }

    private func bibtexBox() -> String {
        let bibtex = results.config.bibtex ?? Self.belmBibtex
        return "<div class=\"bibtex\"><button type=\"button\" class=\"copy\" data-copy-target=\"bibtex-text\">Copy</button><pre id=\"bibtex-text\"><code>\(HTMLText.escape(bibtex.trimmingCharacters(in: .whitespacesAndNewlines)))</code></pre></div>"
    }

    static let belmBibtex = """
        @inproceedings{wang2024belm,
          title     = {BELM: Bidirectional Explicit Linear Multi-step Sampler for Exact Inversion in Diffusion Models},
          author    = {Wang, Fangyikang and Yin, Hubery and Dong, Yuejiang and Zhu, Huminhao and Zhang, Chao and Zhao, Hanbin and Qian, Hui and Li, Chen},
          booktitle = {Advances in Neural Information Processing Systems},
          year      = {2024}
        }
        """

    /// Records name models the way readers know them: builtin names as they are, folders by their last
    /// path component (absolute paths would make the files depend on where the site was built).
    static func relabelled(_ record: MetricRecord) -> MetricRecord {
        var record = record
        record.model = Self.modelLabel(record.model)
        return record
    }

    static func modelLabel(_ source: String) -> String {
        (try? ModelReference(parsing: source))?.label ?? source
    }

    static func titleFromName(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}
