/// The published figures a generated history must reproduce, and the synthetic choices that
/// the publication leaves open. ``langSon2019`` is the Lạng Sơn Public Administration Service
/// Center's report for 17 January – 30 June 2019.
public struct ReferenceCase: Sendable {
    /// A unit (department or company) whose dossiers the center handles.
    public struct Unit: Sendable {
        /// Its code.
        public var code: String
        /// Its Vietnamese name.
        public var name: String
        /// Its share of the dossiers, relative to the other units (synthetic).
        public var dossierWeight: Int
        /// How many procedures it has.
        public var procedures: Int
    }

    /// A name for people.
    public var name: String
    /// The first day of receipts.
    public var firstDay: CivilDay
    /// The last day of the period; the figures are as of its last second.
    public var lastDay: CivilDay
    /// The units.
    public var units: [Unit]
    /// Dossiers received.
    public var received: Int
    /// Results returned.
    public var returned: Int
    /// Of those, decided after their due date.
    public var late: Int
    /// Dossiers sent from the center to departments by post.
    public var forwardedByPost: Int
    /// Results sent back to the center by post.
    public var returnedByPost: Int
    /// "Very satisfied" ratings.
    public var verySatisfied: Int
    /// "Satisfied" ratings.
    public var satisfied: Int
    /// "Not satisfied" ratings.
    public var dissatisfied: Int

    /// The Lạng Sơn report of the first half of 2019. The totals are the report's; the split
    /// over units, the procedure codes and every time are synthetic.
    public static let langSon2019 = ReferenceCase(
        name: "Lạng Sơn Public Administration Service Center, 17 January – 30 June 2019",
        firstDay: CivilDay(year: 2019, month: 1, day: 17), lastDay: CivilDay(year: 2019, month: 6, day: 30),
        units: [
            Unit(code: "BQLKKT", name: "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn", dossierWeight: 15, procedures: 34),
            Unit(code: "PCLS", name: "Công ty Điện lực Lạng Sơn", dossierWeight: 40, procedures: 19),
            Unit(code: "SCT", name: "Sở Công Thương", dossierWeight: 50, procedures: 105),
            Unit(code: "SGDDT", name: "Sở Giáo dục và Đào tạo", dossierWeight: 30, procedures: 70),
            Unit(code: "SGTVT", name: "Sở Giao thông vận tải", dossierWeight: 180, procedures: 100),
            Unit(code: "SKHCN", name: "Sở Khoa học và Công nghệ", dossierWeight: 10, procedures: 45),
            Unit(code: "SKHDT", name: "Sở Kế hoạch và Đầu tư", dossierWeight: 120, procedures: 100),
            Unit(code: "SLDTBXH", name: "Sở Lao động – Thương binh và Xã hội", dossierWeight: 60, procedures: 90),
            Unit(code: "SNGV", name: "Sở Ngoại vụ", dossierWeight: 5, procedures: 10),
            Unit(code: "SNNPTNT", name: "Sở Nông nghiệp và Phát triển nông thôn", dossierWeight: 40, procedures: 110),
            Unit(code: "SNV", name: "Sở Nội vụ", dossierWeight: 15, procedures: 55),
            Unit(code: "STC", name: "Sở Tài chính", dossierWeight: 15, procedures: 35),
            Unit(code: "STNMT", name: "Sở Tài nguyên và Môi trường", dossierWeight: 80, procedures: 95),
            Unit(code: "STP", name: "Sở Tư pháp", dossierWeight: 200, procedures: 110),
            Unit(code: "STTTT", name: "Sở Thông tin và Truyền thông", dossierWeight: 10, procedures: 40),
            Unit(code: "SVHTTDL", name: "Sở Văn hóa, Thể thao và Du lịch", dossierWeight: 30, procedures: 95),
            Unit(code: "SXD", name: "Sở Xây dựng", dossierWeight: 40, procedures: 60),
            Unit(code: "SYT", name: "Sở Y tế", dossierWeight: 70, procedures: 130),
        ],
        received: 7_394, returned: 6_901, late: 71, forwardedByPost: 5_162, returnedByPost: 5_005,
        verySatisfied: 2_587, satisfied: 153, dissatisfied: 0)
}

extension ReferenceCase {
    /// The same center, busier: every count multiplied so that the generated history has about
    /// `events` events (the reference case has about 5 events per dossier), over the same
    /// period, with the same units and proportions. For benchmarks and load tests.
    public func scaled(toEvents events: Int) -> ReferenceCase {
        let factor = Double(events) / 36_754
        func scale(_ value: Int) -> Int { Int((Double(value) * factor).rounded()) }
        var scaled = self
        scaled.name = "\(name), scaled to about \(events) events"
        scaled.received = max(scale(received), 1)
        scaled.returned = min(scale(returned), scaled.received)
        scaled.late = min(scale(late), scaled.returned)
        scaled.returnedByPost = scale(returnedByPost)
        // The generator keeps 120 open dossiers at departments by post; the rest scale.
        scaled.forwardedByPost = max(scale(forwardedByPost), scaled.returnedByPost + 120)
        scaled.verySatisfied = scale(verySatisfied)
        scaled.satisfied = scale(satisfied)
        scaled.dissatisfied = scale(dissatisfied)
        return scaled
    }
}
