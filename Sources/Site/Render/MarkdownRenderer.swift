import CCmark
import Foundation

/// CommonMark → HTML with libcmark.
///
/// Raw HTML is let through (`CMARK_OPT_UNSAFE`) because the Markdown comes from trusted templates: belm's
/// own and those the site's author writes under site/. Text from the config and the results never reaches
/// cmark as markup: Mustache escapes it first, and generated tables and galleries are swapped in after
/// cmark runs (see `FragmentTable`), so they are never re-parsed and cmark's lack of tables does not matter.
enum MarkdownRenderer {
    static func html(_ markdown: String) -> String {
        let options = CMARK_OPT_UNSAFE | CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8
        let utf8 = Array(markdown.utf8)
        guard let rendered = utf8.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                cmark_markdown_to_html($0, buffer.count, options)
            }
        }) else { return "" }
        defer { free(rendered) }
        return String(cString: rendered)
    }
}
