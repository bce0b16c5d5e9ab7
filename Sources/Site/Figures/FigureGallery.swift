import Experiments
import Foundation
import Models

/// Writes an experiment's figures: every image as its own PNG, each figure as one composite PNG at native
/// resolution and upscaled without smoothing under figures/, a labelled PDF for papers (`ImageFigurePDF`) with
/// a PNG of it (`-pdf.png`, its preview in the Paper kit), and the HTML grid that shows them.
enum FigureGallery {
    /// How much bigger than native a small image is shown (and how the upscaled composite is scaled):
    /// whole multiples only, so every source pixel becomes a square block, about `target` pixels wide.
    static func displayScale(_ width: Int, target: Int = 100) -> Int {
        max(1, min(8, Int((Double(target) / Double(max(width, 1))).rounded())))
    }

    /// Cells of many images show them smaller, two to a row.
    static let crowded = 4

    /// Adds the PNGs to `files` and returns the figure's HTML.
    static func render(_ figure: ImageFigure, experiment: String, experimentTitle: String, into files: inout SiteFiles, kit: inout PaperKit) throws -> String {
        let stem = "\(experiment)-\(figure.id)"
        var html = "<figure class=\"gallery\" id=\"\(HTMLText.escape(stem))\">\n"
        html += "<figcaption><strong>\(HTMLText.escape(figure.title))</strong> \(HTMLText.escape(figure.caption))</figcaption>\n"
        html += "<div class=\"grid-scroll\"><table class=\"image-grid\">\n<thead><tr><th></th>"
        for column in figure.columns { html += "<th>\(HTMLText.escape(column))</th>" }
        html += "</tr></thead>\n<tbody>\n"
        for (r, row) in figure.rows.enumerated() {
            html += "<tr><th scope=\"row\">\(HTMLText.escape(row.label))</th>"
            for (c, cell) in row.cells.enumerated() {
                var images: [(path: String, image: LabeledImage)] = []
                for (i, labeled) in cell.images.enumerated() {
                    let path = "images/\(experiment)/\(figure.id)/r\(r)c\(c)-\(i).png"
                    files.add(path, try PNGCodec.encode(labeled.image.planar))
                    images.append((path, labeled))
                }
                html += "<td><div class=\"cell\">" + cellHTML(images, compare: cell.compare) + "</div></td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody></table></div>\n"
        let composite = compose(figure)
        let scale = displayScale(composite.maxImageWidth)
        files.add("figures/\(stem).png", try PNGCodec.encode(composite.image.planar))
        let pdf = try ImageFigurePDF(figure: figure).render()
        files.add("figures/\(stem).pdf", pdf.pdf)
        files.add("figures/\(stem)-pdf.png", pdf.png)
        var links = "<a href=\"figures/\(stem).pdf\">PDF</a> · <a href=\"figures/\(stem).png\">PNG</a>"
        if scale > 1 {
            files.add("figures/\(stem)@\(scale)x.png", try PNGCodec.encode(ImageGrid.upscaled(composite.image.planar, by: scale)))
            links += " · <a href=\"figures/\(stem)@\(scale)x.png\">PNG ×\(scale)</a>"
        }
        kit.figures.append(.init(stem: "figures/\(stem)", title: figure.title, experimentTitle: experimentTitle, preview: "figures/\(stem)-pdf.png", width: pdf.width))
        html += "<p class=\"downloads\">Whole figure: \(links)</p>\n</figure>\n"
        return html
    }

    private static func cellHTML(_ images: [(path: String, image: LabeledImage)], compare: Bool) -> String {
        let target = images.count >= crowded ? 56 : 100
        func displayWidth(_ image: RGBImage) -> Int { min(image.width * displayScale(image.width, target: target), 256) }
        func img(_ item: (path: String, image: LabeledImage), extraClass: String = "") -> String {
            let width = displayWidth(item.image.image)
            let height = item.image.image.height * width / item.image.image.width
            return "<img class=\"pixelated zoomable\(extraClass)\" src=\"\(item.path)\" width=\"\(width)\" height=\"\(height)\" alt=\"\(HTMLText.escape(item.image.label))\" loading=\"lazy\">"
        }
        if compare && images.count >= 2 {
            let before = images[0], after = images[1]
            // The slider is as wide as the images, so its position matches the clip edge.
            var html = "<div class=\"compare\" style=\"width:\(displayWidth(before.image.image))px\" title=\"drag to compare \(HTMLText.escape(before.image.label)) and \(HTMLText.escape(after.image.label))\">"
            html += "<div class=\"compare-images\">" + img(before) + "<div class=\"compare-after\">" + img(after) + "</div></div>"
            html += "<input type=\"range\" min=\"0\" max=\"100\" value=\"50\" aria-label=\"\(HTMLText.escape(before.image.label)) / \(HTMLText.escape(after.image.label))\">"
            html += "<div class=\"compare-labels\"><span>◀ \(HTMLText.escape(before.image.label))</span><span>\(HTMLText.escape(after.image.label)) ▶</span></div></div>"
            for rest in images.dropFirst(2) { html += labeled(img(rest), rest.image.label) }
            return html
        }
        let tiles = images.map { labeled(img($0), $0.image.label) }.joined()
        guard images.count >= crowded, let widest = images.map({ displayWidth($0.image.image) }).max() else { return tiles }
        let columns = Int(Double(images.count).squareRoot().rounded(.up))
        return "<div class=\"tiles\" style=\"max-width:\(columns * (widest + 6))px\">\(tiles)</div>"
    }

    private static func labeled(_ img: String, _ label: String) -> String {
        "<span class=\"tile\">\(img)<span class=\"tile-label\">\(HTMLText.escape(label))</span></span>"
    }

    /// Every cell's images side by side, cells on a grid with wider gaps between cells than within them.
    private static func compose(_ figure: ImageFigure) -> (image: RGBImage, maxImageWidth: Int) {
        let inner = 2, outer = 8
        let cells = figure.rows.map(\.cells)
        let columnCount = cells.map(\.count).max() ?? 0
        var columnWidths = [Int](repeating: 1, count: columnCount)
        var rowHeights = [Int](repeating: 1, count: cells.count)
        var maxImageWidth = 1
        for (r, row) in cells.enumerated() {
            for (c, cell) in row.enumerated() {
                let width = cell.images.map(\.image.width).reduce(0, +) + inner * max(0, cell.images.count - 1)
                columnWidths[c] = max(columnWidths[c], width)
                rowHeights[r] = max(rowHeights[r], cell.images.map(\.image.height).max() ?? 1)
                maxImageWidth = max(maxImageWidth, cell.images.map(\.image.width).max() ?? 1)
            }
        }
        let width = columnWidths.reduce(0, +) + outer * (columnCount + 1)
        let height = rowHeights.reduce(0, +) + outer * (cells.count + 1)
        var canvas = PixelCanvas(width: max(width, 1), height: max(height, 1), background: (255, 255, 255))
        var y = outer
        for (r, row) in cells.enumerated() {
            var x = outer
            for (c, cell) in row.enumerated() {
                var ix = x
                for labeled in cell.images {
                    canvas.draw(labeled.image, x: ix, y: y, scale: 1)
                    ix += labeled.image.width + inner
                }
                x += columnWidths[c] + outer
            }
            y += rowHeights[r] + outer
        }
        return (canvas.image, maxImageWidth)
    }
}
