import CCairo
import Foundation

/// The fonts plots are set in, loaded from their files with FreeType rather than matched by fontconfig, so
/// a figure's glyphs depend only on which of these packages is installed, never on the machine's other fonts.
///
/// Latin Modern (Debian's fonts-lmodern) is the font of LaTeX's standard classes, so figure labels match the
/// paper's text; its text fonts come in optical sizes, and the nearest one to each size is used. Latin Modern
/// lacks Greek, which comes from Latin Modern Math (in the same package). Without fonts-lmodern, DejaVu Serif
/// (fonts-dejavu-core) is the one deterministic fallback; with neither, drawing a plot fails naming both.
final class PlotFonts: @unchecked Sendable {
    static let shared = PlotFonts()

    /// Where Debian's fonts-lmodern puts the OpenType files, and fonts-dejavu-core DejaVu Serif.
    static let debianLatinModernFolder = "/usr/share/texmf/fonts/opentype/public"
    static let debianDejaVuSerif = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
    /// Latin Modern Roman's optical sizes, in points.
    static let opticalSizes = [5, 6, 7, 8, 9, 10, 12, 17]

    let latinModernFolder: String
    let dejaVuSerif: String

    init(latinModernFolder: String = PlotFonts.debianLatinModernFolder, dejaVuSerif: String = PlotFonts.debianDejaVuSerif) {
        self.latinModernFolder = latinModernFolder
        self.dejaVuSerif = dejaVuSerif
    }

    /// A loaded font file: the cairo face draws; the characters it has were read once, when it was loaded,
    /// because cairo may use the FreeType face on another thread at any time after that.
    final class Face: @unchecked Sendable {
        let path: String
        let cairoFace: OpaquePointer
        let characters: Set<UInt32>

        init(path: String, cairoFace: OpaquePointer, characters: Set<UInt32>) {
            self.path = path
            self.cairoFace = cairoFace
            self.characters = characters
        }

        func has(_ scalar: Unicode.Scalar) -> Bool { characters.contains(scalar.value) }
        var fileName: String { URL(fileURLWithPath: path).lastPathComponent }
    }

    private let lock = NSLock()
    private var library: FT_Library?
    // Faces live as long as the process: cairo keeps pointers into them for every surface that used them.
    private var faces: [String: Face] = [:]

    /// The fonts for text of `size` points, in the order a character is looked up: text font, then Greek.
    func chain(size: Double) throws -> [Face] {
        let text = latinModernPath(size: size)
        if FileManager.default.fileExists(atPath: text) {
            return [try face(text), try face(latinModernFolder + "/lm-math/latinmodern-math.otf")]
        }
        if FileManager.default.fileExists(atPath: dejaVuSerif) { return [try face(dejaVuSerif)] }
        throw PlotError("no font for plots: neither \(text) (Debian package fonts-lmodern) nor \(dejaVuSerif) (fonts-dejavu-core) exists; install fonts-lmodern (`make deps` does)")
    }

    /// The Latin Modern Roman file whose optical size is nearest to `size` (the smaller on a tie).
    func latinModernPath(size: Double) -> String {
        let nearest = Self.opticalSizes.min { abs(Double($0) - size) < abs(Double($1) - size) }!
        return latinModernFolder + "/lm/lmroman\(nearest)-regular.otf"
    }

    /// What the reproducibility page reports: the cairo and FreeType versions and the font files plots use.
    func description() -> String {
        let fonts = (try? chain(size: 8).map(\.fileName).joined(separator: ", ")) ?? "none found"
        lock.lock(); defer { lock.unlock() }
        var major: FT_Int = 0, minor: FT_Int = 0, patch: FT_Int = 0
        if let library { FT_Library_Version(library, &major, &minor, &patch) }
        return "cairo \(String(cString: cairo_version_string())), FreeType \(major).\(minor).\(patch), fonts \(fonts)"
    }

    private func face(_ path: String) throws -> Face {
        lock.lock(); defer { lock.unlock() }
        if let face = faces[path] { return face }
        if library == nil {
            var created: FT_Library?
            guard FT_Init_FreeType(&created) == 0, let created else { throw PlotError("FreeType could not start") }
            library = created
        }
        var ftFace: FT_Face?
        guard FT_New_Face(library, path, 0, &ftFace) == 0, let ftFace else {
            throw PlotError("\(path): FreeType cannot read this font file; reinstall the package that holds it")
        }
        guard let cairoFace = cairo_ft_font_face_create_for_ft_face(ftFace, 0), cairo_font_face_status(cairoFace) == CAIRO_STATUS_SUCCESS else {
            throw PlotError("\(path): cairo cannot use this font file")
        }
        var characters = Set<UInt32>()
        var glyph: FT_UInt = 0
        var code = FT_Get_First_Char(ftFace, &glyph)
        while glyph != 0 {
            characters.insert(UInt32(code))
            code = FT_Get_Next_Char(ftFace, code, &glyph)
        }
        let face = Face(path: path, cairoFace: cairoFace, characters: characters)
        faces[path] = face
        return face
    }
}

/// A figure that cannot be drawn: the message says which file or label and what to do.
struct PlotError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
