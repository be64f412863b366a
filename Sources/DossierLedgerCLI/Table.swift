/// A table for people: columns aligned, numbers to the right, text to the left.
struct Table {
    var header: [String]
    var rows: [[String]] = []
    /// Which columns hold text (left-aligned); the others are right-aligned.
    var textColumns: Set<Int>

    func render() -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return textColumns.contains(index) ? cell + pad : pad + cell
            }.joined(separator: "  ").replacing(/\s+$/, with: "")
        }
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
