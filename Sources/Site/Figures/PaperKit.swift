import Foundation

/// The "Paper kit" page's content: every figure and table of the site that a paper can use, each with a
/// preview and the line to paste into the paper's source.
struct PaperKit {
    struct Figure {
        /// "figures/reconstruction-mse" (the files add .pdf, .svg, .png).
        var stem: String
        var title: String
        var experimentTitle: String
        /// The image shown as a preview, relative to the site's root.
        var preview: String
        /// The figure's own width in points: a one-column plot or an image grid.
        var width: Double
        /// The stem of the same figure drawn across a two-column paper's text width, if there is one.
        var wideStem: String? = nil
    }

    struct Table {
        /// "tables/reconstruction-mse.tex".
        var path: String
        var title: String
        var experimentTitle: String
        /// The same numbers as an HTML table.
        var previewHTML: String
    }

    var figures: [Figure] = []
    var tables: [Table] = []

    /// `\includegraphics` at the figure's natural size: plots are made one column wide, image figures at most
    /// the text width of a two-column paper, so neither is rescaled (and the type keeps its size).
    static func includeLine(_ figure: Figure) -> String { "\\includegraphics{\(figure.stem).pdf}" }

    /// Figures wider than one column need the whole text width in a two-column paper.
    static func isWide(_ figure: Figure) -> Bool { figure.width > 3.25 * 72 + 0.5 }

    static func inputLine(_ table: Table) -> String { "\\input{\(table.path.hasSuffix(".tex") ? String(table.path.dropLast(4)) : table.path)}" }

    func figuresHTML() -> String {
        guard !figures.isEmpty else { return "<p>This site has no figures.</p>\n" }
        var html = ""
        for (index, figure) in figures.enumerated() {
            let title = HTMLText.escape(figure.title), stem = HTMLText.escape(figure.stem)
            html += "<section class=\"kit-item\" id=\"kit-figure-\(index + 1)\">\n<h3>\(HTMLText.escape(figure.experimentTitle)) · \(title)</h3>\n"
            // Plots are previewed by their SVG, image figures by a PNG of their PDF (labels included).
            let kind = figure.preview.hasSuffix(".svg") ? "plot" : "image-figure"
            html += "<img class=\"\(kind) kit-preview\" src=\"\(HTMLText.escape(figure.preview))\" alt=\"\(title)\" loading=\"lazy\">\n"
            html += Self.copyBox(Self.includeLine(figure), id: "kit-figure-\(index + 1)-line")
            if let wide = figure.wideStem {
                html += "<p class=\"kit-note\">Across both columns of a two-column paper (6.75 in, in a <code>figure*</code> environment):</p>\n"
                html += Self.copyBox("\\includegraphics{\(wide).pdf}", id: "kit-figure-\(index + 1)-wide")
            }
            if Self.isWide(figure) {
                html += "<p class=\"kit-note\">Wider than a column (\(String(format: "%.2f", figure.width / 72)) in): in a two-column paper, put it in a <code>figure*</code> environment.</p>\n"
            }
            html += "<p class=\"downloads\"><a href=\"\(stem).pdf\">PDF</a>"
            if let wide = figure.wideStem { html += " · <a href=\"\(HTMLText.escape(wide)).pdf\">PDF, two columns</a>" }
            if figure.preview.hasSuffix(".svg") { html += " · <a href=\"\(stem).svg\">SVG</a>" }
            html += " · <a href=\"\(stem).png\">PNG</a></p>\n</section>\n"
        }
        return html
    }

    func tablesHTML() -> String {
        guard !tables.isEmpty else { return "<p>This site recorded no metrics.</p>\n" }
        var html = Self.copyBox("\\input{tables/all}", id: "kit-tables-all")
        for (index, table) in tables.enumerated() {
            html += "<section class=\"kit-item\" id=\"kit-table-\(index + 1)\">\n<h3>\(HTMLText.escape(table.experimentTitle)) · \(HTMLText.escape(table.title))</h3>\n"
            html += table.previewHTML
            html += Self.copyBox(Self.inputLine(table), id: "kit-table-\(index + 1)-line")
            html += "<p class=\"downloads\"><a href=\"\(HTMLText.escape(table.path))\">\(HTMLText.escape(table.path))</a></p>\n</section>\n"
        }
        return html
    }

    /// A line of LaTeX with a Copy button (the site's script copies the text of the element it names).
    static func copyBox(_ line: String, id: String) -> String {
        "<div class=\"copy-box\"><button type=\"button\" class=\"copy\" data-copy-target=\"\(id)\">Copy</button><pre id=\"\(id)\"><code>\(HTMLText.escape(line))</code></pre></div>\n"
    }
}
