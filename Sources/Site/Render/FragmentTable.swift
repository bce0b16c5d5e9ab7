import Foundation

/// Generated HTML (tables, galleries, plots) kept out of cmark's way: a template gets a placeholder comment
/// for each fragment, cmark passes comments through untouched, and the fragments are swapped in afterwards.
struct FragmentTable {
    private(set) var fragments: [String] = []

    /// The placeholder to put in the template context in place of `html`.
    mutating func placeholder(for html: String) -> String {
        fragments.append(html)
        return "<!--belm-fragment-\(fragments.count - 1)-->"
    }

    func substitute(into html: String) -> String {
        var result = html
        // Descending order, so placeholder 1 is not mistaken for the start of placeholder 10.
        for index in fragments.indices.reversed() {
            result = result.replacingOccurrences(of: "<!--belm-fragment-\(index)-->", with: fragments[index])
        }
        return result
    }
}
