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
        guard let pdftoppm = PopplerTools.find("pdftoppm"), let pdffonts = PopplerTools.find("pdffonts") else {
            print("SKIPPED thePDFRendersAndEmbedsItsFonts: pdftoppm/pdffonts not found (Debian package poppler-utils; `make deps` installs it)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = folder.appendingPathComponent("plot.pdf")
        try Self.samplePlot().render().pdf.write(to: pdf)

        let fonts = try PopplerTools.run(pdffonts, [pdf.path])
        #expect(fonts.status == 0, "pdffonts: \(fonts.output)")
        let rows = fonts.output.split(separator: "\n").dropFirst(2)
        #expect(rows.count >= 2, "a text font and the math font: \(fonts.output)")
        for row in rows {
            // Columns: name, type, encoding, emb, sub, uni, object ID.
            let columns = row.split(separator: " ", omittingEmptySubsequences: true)
            #expect(columns.count >= 7 && columns[columns.count - 5] == "yes", "font not embedded: \(row)")
        }
        #expect(fonts.output.contains("LMRoman"), "\(fonts.output)")

        let rendered = try PopplerTools.run(pdftoppm, ["-png", "-r", "150", "-singlefile", pdf.path, folder.appendingPathComponent("page").path])
        #expect(rendered.status == 0, "pdftoppm: \(rendered.output)")
        let page = try PNGCodec.read(folder.appendingPathComponent("page.png"))
        #expect(page.width == Int((234.0 / 72 * 150).rounded()) || page.width == Int((234.0 / 72 * 150).rounded(.up)))
        // Ink: the frame, labels and lines make some pixels dark.
        var dark = 0
        for y in 0..<page.height { for x in 0..<page.width where page[0, y, x] < -0.5 && page[1, y, x] < -0.5 { dark += 1 } }
        #expect(dark > 500, "the rendered page is nearly empty (\(dark) dark pixels)")
    }
}

/// poppler-utils, when installed: tests that need it say so and skip without it.
enum PopplerTools {
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
