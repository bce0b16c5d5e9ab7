import Experiments
import Foundation
import Models
import Testing
@testable import Site

/// The plots drawn by cairo: layout, type, styles, and PDFs that a paper can use.
@Suite struct PaperFigureTests {
    static func samplePlot() -> LogLogPlot {
        LogLogPlot(title: "MSE against steps", xLabel: "steps", yLabel: "MSE", series: [
            .init(label: "DDIM", style: .of("ddim"), points: [(10, 1e-2), (100, 1e-4)]),
            .init(label: "O-BELM (order 2.00)", style: .of("belm"), points: [(10, 1e-6), (100, 1e-8)]),
        ])
    }

    @Test func logAxesSpanWholeDecadesAndTheMeasuredSteps() throws {
        let plot = Self.samplePlot()
        #expect(plot.yRange == (-8, -2))
        #expect(plot.yTicks == [-8, -7, -6, -5, -4, -3, -2])
        #expect(plot.xTicks == [10, 100])
        #expect(LogLogPlot.powerOfTen(-8) == "10⁻⁸")
        // The y axis spans whole decades plus 4 % of them each side, so no marker sits on the frame.
        let frame = try plot.measuredLayout().frame
        let inset = frame.height * 0.04 / 1.08
        #expect(abs(plot.position(x: 10, y: 1e-2, in: frame).1 - (frame.y + inset)) < 1e-9)
        #expect(abs(plot.position(x: 10, y: 1e-8, in: frame).1 - (frame.y + frame.height - inset)) < 1e-9)
        #expect(plot.position(x: 10, y: 1, in: frame).0 > frame.x)
        #expect(plot.position(x: 100, y: 1, in: frame).0 < frame.x + frame.width)
        // One column of a two-column paper; the frame leaves room for the labels on every side.
        #expect(plot.size.width == 234)
        #expect(frame.x > 15 && frame.y > 8 && frame.x + frame.width < 234 && frame.y + frame.height < plot.size.height - 15)
        var wide = plot
        wide.size = .twoColumn
        #expect(try wide.measuredLayout().frame.width > frame.width + 240)
        #expect(String(decoding: try wide.pdf(), as: UTF8.self).contains("/MediaBox [ 0 0 486 187.2 ]"))
    }

    @Test func superscriptsGreekAndBarsAreSetAsInLaTeX() throws {
        let power = try PlotText("10⁻³", size: 7)
        #expect(power.runs.map(\.text) == ["10", "\u{2212}3"])
        #expect(power.runs[0].rise == 0 && power.runs[1].rise > 0 && power.runs[1].size < 7)
        let greek = try PlotText("ᾱ ε σ", size: 8)
        // Greek letters come from the math font, in italic (U+1D6FC… is mathematical italic α…).
        let scalars = greek.runs.flatMap { $0.text.unicodeScalars.map(\.value) }
        #expect(scalars.contains(0x1D6FC) && scalars.contains(0x1D700) && scalars.contains(0x1D70E))
        #expect(greek.runs.filter(\.overbar).map(\.text) == ["\u{1D6FC}"])
        let macron = try PlotText("x\u{0304}", size: 8)
        #expect(macron.runs.filter(\.overbar).map(\.text) == ["x"])
        #expect(throws: PlotError.self) { try PlotText("error 😀", size: 8) }
        do { _ = try PlotText("error 😀", size: 8) } catch {
            #expect("\(error)".contains("U+1F600") && "\(error)".contains("error 😀"))
        }
    }

    /// Latin Modern at the optical size nearest each type size, its math font for Greek; DejaVu Serif only where
    /// fonts-lmodern is missing; a clear error with neither.
    @Test func fontsAreChosenByFileWithOneFallback() throws {
        let fonts = PlotFonts.shared
        #expect(fonts.latinModernPath(size: 7).hasSuffix("/lm/lmroman7-regular.otf"))
        #expect(fonts.latinModernPath(size: 4.9).hasSuffix("/lm/lmroman5-regular.otf"))
        #expect(fonts.latinModernPath(size: 11).hasSuffix("/lm/lmroman10-regular.otf"))
        if FileManager.default.fileExists(atPath: fonts.latinModernPath(size: 8)) {
            #expect(try fonts.chain(size: 8).map(\.fileName) == ["lmroman8-regular.otf", "latinmodern-math.otf"])
        } else {
            print("NOTE fontsAreChosenByFileWithOneFallback: fonts-lmodern is not installed; plots use DejaVu Serif here")
        }
        let noLatinModern = PlotFonts(latinModernFolder: "/nonexistent/lm", dejaVuSerif: PlotFonts.debianDejaVuSerif)
        if FileManager.default.fileExists(atPath: PlotFonts.debianDejaVuSerif) {
            #expect(try noLatinModern.chain(size: 8).map(\.fileName) == ["DejaVuSerif.ttf"])
        }
        let none = PlotFonts(latinModernFolder: "/nonexistent/lm", dejaVuSerif: "/nonexistent/DejaVuSerif.ttf")
        do {
            _ = try none.chain(size: 8)
            Issue.record("a chain without font files")
        } catch {
            #expect("\(error)".contains("fonts-lmodern") && "\(error)".contains("/nonexistent/lm/lm/lmroman8-regular.otf"))
        }
    }

    @Test func eachSamplerHasItsOwnColourMarkerAndDash() {
        let styles = SamplerChoice.allCases.map { SamplerStyle.of($0.rawValue) }
        for (i, a) in styles.enumerated() {
            for b in styles[(i + 1)...] {
                #expect(a.color != b.color && a.marker != b.marker && a.dashes != b.dashes)
            }
        }
        #expect(SamplerStyle.of("belm").color == SamplerStyle.hex(0x0072B2))
        #expect(SamplerStyle.of("ddim").color == SamplerStyle.hex(0xD55E00))
        #expect(SamplerStyle.of("my-sampler") == SamplerStyle.of("my-sampler"))
        #expect(!styles.contains(SamplerStyle.of("my-sampler")))
    }

    @Test func thePNGIsTwiceCSSSizeAndShowsEachSamplerInItsColour() throws {
        let plot = Self.samplePlot()
        let image = try PNGCodec.decode(try plot.render().png)
        #expect(image.width == 624)
        // The marker at DDIM's first point is drawn in DDIM's colour (vermillion, #D55E00).
        let frame = try plot.measuredLayout().frame
        let (px, py) = plot.position(x: 10, y: 1e-2, in: frame)
        let x = Int(px * CairoDocument.pngScale), y = Int(py * CairoDocument.pngScale)
        let pixel = (0..<3).map { Int(((image[$0, y, x] + 1) / 2 * 255).rounded()) }
        #expect(pixel == [0xD5, 0x5E, 0x00], "pixel at the DDIM marker")
    }

    @Test func drawingTwiceGivesTheSameBytes() async throws {
        let first = try Self.samplePlot().render()
        // Other surfaces in between (cairo numbers SVG groups by a process-wide count), and a new second
        // (cairo would write the time into the PDF).
        _ = try PaperFigureTests.samplePlot().render()
        try await Task.sleep(for: .milliseconds(1100))
        let second = try Self.samplePlot().render()
        #expect(first.pdf == second.pdf)
        #expect(first.svg == second.svg)
        #expect(first.png == second.png)
        let pdf = String(decoding: first.pdf, as: UTF8.self)
        #expect(pdf.hasPrefix("%PDF-"))
        // cairo 1.16 writes the date without PDF's "D:" prefix; later versions with it.
        #expect(pdf.contains("/CreationDate (20000101000000Z)") || pdf.contains("/CreationDate (D:20000101000000Z)"))
    }

    /// poppler renders the PDF, and every font in it is embedded (a journal's PDF check fails otherwise).
    @Test func thePDFRendersAndEmbedsItsFonts() throws {
        guard PopplerTools.available(for: "thePDFRendersAndEmbedsItsFonts") else { return }
        let pdf = try Self.samplePlot().render().pdf
        #expect(try PopplerTools.problems(pdf, name: "plot.pdf") == [])
        let fonts = try PopplerTools.withFile(pdf) { try PopplerTools.run(PopplerTools.find("pdffonts")!, [$0.path]) }
        #expect(fonts.output.contains("LMRoman"), "\(fonts.output)")
        // Greek in a label brings in the math font, embedded too.
        var greek = Self.samplePlot()
        greek.yLabel = "ε error at ᾱ, σ = 0.3"
        let greekPDF = try greek.pdf()
        #expect(try PopplerTools.problems(greekPDF, name: "greek.pdf") == [])
        let greekFonts = try PopplerTools.withFile(greekPDF) { try PopplerTools.run(PopplerTools.find("pdffonts")!, [$0.path]) }
        #expect(greekFonts.output.contains("LatinModernMath"), "\(greekFonts.output)")
        if let keep = ProcessInfo.processInfo.environment["BELM_KEEP_GREEK_PLOT"] { try greek.render().png.write(to: URL(fileURLWithPath: keep)) }
    }

    static func checker(_ a: [UInt8], _ b: [UInt8], size: Int) -> RGBImage {
        RGBImage(width: size, height: size, pixels: (0..<size * size).flatMap { (($0 / size + $0 % size) % 2 == 0) ? a : b })
    }

    /// An image figure's PDF holds each image at its own resolution, drawn without smoothing, with its
    /// labels in the plots' font; it fits the text width of a two-column paper.
    @Test func imageFiguresBecomePDFsWithSharpPixelsAndLabels() throws {
        let red: [UInt8] = [230, 20, 10], blue: [UInt8] = [10, 40, 220]
        let cell = ImageCell(images: [LabeledImage(label: "original", image: Self.checker(red, blue, size: 4)),
                                      LabeledImage(label: "back", image: Self.checker(blue, red, size: 4))])
        let figure = ImageFigure(id: "round-trip", title: "Round trips.", caption: "", columns: ["DDIM", "O-BELM"],
                                 rows: [ImageRow(label: "10 steps", cells: [cell, cell]), ImageRow(label: "20 steps", cells: [cell, cell])])
        let drawing = ImageFigurePDF(figure: figure)
        let rendered = try drawing.render()
        // Sixteen 4-pixel columns fit one column at 3 pt a pixel.
        #expect(rendered.width <= ImageFigurePDF.columnWidth)
        #expect(try drawing.measuredLayout().scale == ImageFigurePDF.maxPointsPerPixel)
        #expect(drawing.subLabels == ["original", "back"])
        let big = ImageFigure(id: "big", title: "Big.", caption: "", columns: ["a", "b", "c"], rows: [ImageRow(label: "r", cells: Array(repeating: ImageCell(images: [
            LabeledImage(label: "x", image: Self.checker(red, blue, size: 256))]), count: 3))])
        // Rows of different lengths, and a figure with no rows, still draw.
        let ragged = ImageFigure(id: "ragged", title: "Ragged.", caption: "", columns: ["a", "b"],
                                 rows: [ImageRow(label: "one", cells: [cell]), ImageRow(label: "two", cells: [cell, cell])])
        #expect(try ImageFigurePDF(figure: ragged).render().width > 0)
        let empty = ImageFigure(id: "empty", title: "Empty.", caption: "", columns: [], rows: [])
        #expect(try ImageFigurePDF(figure: empty).render().pdf.count > 0)
        let bigWidth = try ImageFigurePDF(figure: big).render().width
        #expect(abs(bigWidth - ImageFigurePDF.textWidth) < 1e-6, "a wide figure is scaled to the text width")

        guard PopplerTools.available(for: "imageFiguresBecomePDFsWithSharpPixelsAndLabels") else { return }
        #expect(try PopplerTools.problems(rendered.pdf, name: "round-trip.pdf") == [])
        let images = try PopplerTools.withFile(rendered.pdf) { try PopplerTools.run(PopplerTools.find("pdfimages")!, ["-list", $0.path]) }
        let rows = images.output.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.count >= 2, "\(images.output)")
        for row in rows {
            // Columns: page num type width height color comp bpc enc interp …
            #expect(row[3] == "4" && row[4] == "4" && row[9] == "no", "not native, or smoothed: \(row.joined(separator: " "))")
        }
        // Rendered at 144 dpi (2 px per point), the middle of the first image's first pixel is pure red.
        let layout = try drawing.measuredLayout()
        let page = try PopplerTools.withFile(rendered.pdf) { pdf -> PlanarImage in
            let out = pdf.deletingPathExtension().path + "-page"
            _ = try PopplerTools.run(PopplerTools.find("pdftoppm")!, ["-png", "-r", "144", "-singlefile", pdf.path, out])
            return try PNGCodec.read(URL(fileURLWithPath: out + ".png"))
        }
        let x = Int((layout.left + layout.scale / 2) * 2), y = Int((layout.top + layout.scale / 2) * 2)
        let pixel = (0..<3).map { Int(((page[$0, y, x] + 1) / 2 * 255).rounded()) }
        #expect(pixel.enumerated().allSatisfy { abs($0.element - Int(red[$0.offset])) <= 2 }, "\(pixel)")
        // Halfway into the next pixel it is blue: no blending between neighbours.
        let x2 = Int((layout.left + layout.scale * 1.5) * 2)
        let next = (0..<3).map { Int(((page[$0, y, x2] + 1) / 2 * 255).rounded()) }
        #expect(next.enumerated().allSatisfy { abs($0.element - Int(blue[$0.offset])) <= 2 }, "\(next)")
    }
}

/// poppler-utils, when installed: tests that need it say so and skip without it.
enum PopplerTools {
    static func available(for test: String) -> Bool {
        if find("pdftoppm") != nil && find("pdffonts") != nil && find("pdfimages") != nil { return true }
        print("SKIPPED \(test) (poppler part): pdftoppm, pdffonts or pdfimages not found (Debian package poppler-utils; `make deps` installs it)")
        return false
    }

    /// Calls `body` with the PDF written to a temporary file (removed afterwards, with anything beside it).
    static func withFile<T>(_ pdf: Data, _ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("figure.pdf")
        try pdf.write(to: file)
        return try body(file)
    }

    /// What is wrong with a PDF for a paper: poppler cannot render it, it renders blank, or a font is not embedded.
    static func problems(_ pdf: Data, name: String) throws -> [String] {
        try withFile(pdf) { file in
            var problems: [String] = []
            let fonts = try run(find("pdffonts")!, [file.path])
            if fonts.status != 0 { problems.append("\(name): pdffonts failed: \(fonts.output)") }
            for row in fonts.output.split(separator: "\n").dropFirst(2) {
                // Columns: name, type, encoding, emb, sub, uni, object ID (two numbers).
                let columns = row.split(separator: " ", omittingEmptySubsequences: true)
                if columns.count < 8 || columns[columns.count - 5] != "yes" { problems.append("\(name): font not embedded: \(row)") }
            }
            if fonts.output.split(separator: "\n").count < 3 { problems.append("\(name): no fonts (its labels are missing)") }
            let out = file.deletingPathExtension().path + "-page"
            let rendered = try run(find("pdftoppm")!, ["-png", "-r", "72", "-singlefile", file.path, out])
            if rendered.status != 0 { return problems + ["\(name): pdftoppm failed: \(rendered.output)"] }
            let page = try PNGCodec.read(URL(fileURLWithPath: out + ".png"))
            var dark = 0
            for y in 0..<page.height { for x in 0..<page.width where page[0, y, x] < 0 || page[1, y, x] < 0 || page[2, y, x] < 0 { dark += 1 } }
            if dark < page.width * page.height / 100 { problems.append("\(name): renders nearly blank (\(dark) of \(page.width * page.height) pixels inked)") }
            return problems
        }
    }

    static func find(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
