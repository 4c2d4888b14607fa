import Foundation
import TsunagariCore
import TsunagariGraph

/// `tsunagari bench graph`: builds the index from a synthetic or real graph and times the questions the
/// product asks, beside the same questions answered by SQL on SQLite for a sample of viewers.
public enum GraphBenchmark {
    public struct Options: Sendable {
        public var members: Int
        public var edgesFile: String?
        public var seed: UInt64
        public var averageDegree: Int
        public var viewers: Int
        public var sqlViewers: Int
        /// A folder where the index's snapshot is written and read back, as a restarting server does; nil skips it.
        public var snapshotFolder: String?

        public init(
            members: Int, edgesFile: String?, seed: UInt64, averageDegree: Int, viewers: Int, sqlViewers: Int, snapshotFolder: String? = nil
        ) {
            self.members = members
            self.edgesFile = edgesFile
            self.seed = seed
            self.averageDegree = averageDegree
            self.viewers = viewers
            self.sqlViewers = sqlViewers
            self.snapshotFolder = snapshotFolder
        }
    }

    public static func run(_ options: Options) throws {
        var edges: [(Node, Node)]
        var source: String
        if let file = options.edgesFile {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let parsed = SyntheticGraph.parseEdgeList(text)
            edges = parsed.edges
            source = "\((file as NSString).lastPathComponent): \(parsed.nodeCount) members, \(edges.count) edge lines"
        } else {
            let start = Date()
            edges = SyntheticGraph.edges(members: options.members, averageDegree: options.averageDegree, seed: options.seed)
            source = "synthetic: \(options.members) members, \(edges.count) generated edges, seed \(options.seed) (generated in \(String(format: "%.1f", Date().timeIntervalSince(start))) s)"
        }
        print("Graph: \(source)")
        let before = residentBytes()
        let buildStart = DispatchTime.now().uptimeNanoseconds
        let graph = SocialGraph(nodeCount: 0, edges: edges)
        let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1e9
        let after = residentBytes()
        let directed = graph.edgeCount * 2
        print(
            "Index: \(graph.nodeCount) members, \(graph.edgeCount) connections (\(directed) directed); built in \(String(format: "%.2f", buildSeconds)) s; "
                + "adjacency \(graph.memoryBytes / 1_048_576) MiB = \(String(format: "%.1f", Double(graph.memoryBytes) / Double(max(1, directed)))) bytes per directed edge; "
                + "resident memory +\((after - before) / 1_048_576) MiB (total \(after / 1_048_576) MiB)")

        var g = SyntheticGraph.Generator(state: options.seed &+ 99)
        let n = Node(graph.nodeCount)
        // Viewers with at least one connection, as real viewers are.
        var viewers: [Node] = []
        while viewers.count < options.viewers {
            let v = Node.random(in: 0..<n, using: &g)
            if graph.connectionCount(of: v) > 0 { viewers.append(v) }
        }
        var degree = Timings()
        var mutual = Timings()
        var pymk = Timings()
        var paths = Timings()
        var secondSize = Timings()
        var thirdTargets: [(Node, Node)] = []
        for viewer in viewers {
            let targets = (0..<1000).map { _ in Node.random(in: 0..<n, using: &g) }
            let distances = degree.measure { graph.distances(from: viewer, to: targets) }
            let other = graph.connections(of: graph.connections(of: viewer).randomElement(using: &g)!).randomElement(using: &g) ?? viewer
            _ = mutual.measure { graph.mutualConnections(viewer, other) }
            _ = pymk.measure { graph.mostMutualStrangers(of: viewer, limit: 20, excluded: { _ in false }) }
            _ = secondSize.measure { graph.secondDegreeCount(of: viewer) }
            if let index = distances.firstIndex(of: Distance.third) {
                let third = targets[index]
                thirdTargets.append((viewer, third))
                _ = paths.measure { graph.introducers(from: viewer, to: third) }
            }
        }

        var sql: SQLGraphBaseline?
        var sqlDegree = Timings()
        var sqlMutual = Timings()
        var sqlPymk = Timings()
        var sqlPaths = Timings()
        if options.sqlViewers > 0 {
            let loadStart = Date()
            sql = try SQLGraphBaseline(edges: edges)
            print("SQL baseline: SQLite table loaded in \(String(format: "%.1f", Date().timeIntervalSince(loadStart))) s; \(options.sqlViewers) viewers")
            var h = SyntheticGraph.Generator(state: options.seed &+ 99)
            var checked = 0
            for viewer in viewers.prefix(options.sqlViewers) {
                let targets = (0..<1000).map { _ in Node.random(in: 0..<n, using: &h) }
                let answer = try sqlDegree.measure { try sql!.degrees(from: viewer, to: targets) }
                // The baseline must agree with the index, or the comparison means nothing.
                let index = graph.distances(from: viewer, to: targets).map { Int($0.rawValue) }
                precondition(answer == index, "SQL and index disagree on degrees for viewer \(viewer)")
                let other = graph.connections(of: graph.connections(of: viewer)[0]).first ?? viewer
                let m = try sqlMutual.measure { try sql!.mutuals(viewer, other) }
                precondition(m == graph.mutualConnections(viewer, other), "SQL and index disagree on mutuals")
                let suggested = try sqlPymk.measure { try sql!.peopleYouMayKnow(viewer, limit: 20) }
                precondition(
                    suggested == graph.mostMutualStrangers(of: viewer, limit: 20, excluded: { _ in false }).map(\.node),
                    "SQL and index disagree on people you may know")
                checked += 1
            }
            for (viewer, target) in thirdTargets.prefix(options.sqlViewers) {
                let via = try sqlPaths.measure { try sql!.introducers(viewer, target) }
                precondition(via == graph.introducers(from: viewer, to: target).via, "SQL and index disagree on paths")
            }
            print("SQL answers checked against the index for \(checked) viewers: identical.")
        }

        func row(_ name: String, _ index: Timings, _ baseline: Timings?) -> [String] {
            var cells = [name, "\(index.samples.count)", formatMilliseconds(index.median), formatMilliseconds(index.p99)]
            if let baseline, !baseline.samples.isEmpty {
                cells += [
                    "\(baseline.samples.count)", formatMilliseconds(baseline.median), formatMilliseconds(baseline.p99),
                    String(format: "%.0f×", baseline.median / max(index.median, 1e-9)),
                ]
            } else {
                cells += ["—", "—", "—", "—"]
            }
            return cells
        }
        printTable(
            ["question", "runs", "index p50", "index p99", "SQL runs", "SQL p50", "SQL p99", "SQL/index p50"],
            [
                row("degree of 1,000 members", degree, sqlDegree),
                row("mutual connections of two members", mutual, sqlMutual),
                row("people you may know, top 20", pymk, sqlPymk),
                row("paths to a 3rd-degree member", paths, sqlPaths),
                row("size of the 2nd-degree network", secondSize, nil),
            ])
        withExtendedLifetime(sql) {}
        hiddenLists(edges: edges, nodeCount: graph.nodeCount, seed: options.seed)
        if let folder = options.snapshotFolder {
            try snapshotRoundTrip(graph, viewers: Array(viewers.prefix(50)), folder: folder, seed: options.seed)
        }
    }

    /// A page of twenty people as a list shows them (degree and mutual count), asked by a recruiter with 30,000
    /// connections and by members of the synthetic graph, while nobody, 0.1%, 1% or 10% of members hide their lists:
    /// a mutual connection who hides theirs is counted only where the target's list is visible, so the viewer's
    /// connections who hide theirs are found for every such page. Nobody hiding is the baseline.
    static func hiddenLists(edges: [(Node, Node)], nodeCount: Int, seed: UInt64) {
        var g = SyntheticGraph.Generator(state: seed &+ 31)
        let recruiter = Node(nodeCount)
        let reach = min(30_000, nodeCount)
        var all = edges
        all.reserveCapacity(edges.count + reach)
        for _ in 0..<reach { all.append((recruiter, Node.random(in: 0..<Node(nodeCount), using: &g))) }
        let ids = (0...nodeCount).map { MemberID("m\($0)") }
        let graph = MemberGraph(members: ids, graph: SocialGraph(nodeCount: 0, edges: all))
        let members = (0..<100).map { _ in ids[Int.random(in: 0..<nodeCount, using: &g)] }
        let pages = (0..<200).map { _ in (0..<20).map { _ in ids[Int.random(in: 0..<nodeCount, using: &g)] } }
        var rows: [[String]] = []
        var hiding = 0
        for share in [0.0, 0.001, 0.01, 0.1] {
            // Those hiding are added to: each share includes the last one's.
            while Double(hiding) < share * Double(nodeCount) {
                graph.apply(GraphChange(sequence: 0, kind: .listHidden, a: ids[Int.random(in: 0..<nodeCount, using: &g)], b: nil))
                hiding += 1
            }
            var asRecruiter = Timings()
            var asMember = Timings()
            var checksum = 0
            for (index, page) in pages.enumerated() {
                checksum &+= asRecruiter.measure { graph.summaries(from: ids[Int(recruiter)], to: page) }.reduce(0) { $0 &+ $1.mutualCount }
                checksum &+= asMember.measure { graph.summaries(from: members[index % members.count], to: page) }.reduce(0) { $0 &+ $1.mutualCount }
            }
            let label = share == 0 ? "nobody (baseline)" : String(format: "%g%%", share * 100)
            rows.append([label, formatMilliseconds(asRecruiter.median), formatMilliseconds(asRecruiter.p99), formatMilliseconds(asMember.median),
                formatMilliseconds(asMember.p99), "\(checksum)"])
        }
        print("Lists of people while some hide their lists: 200 pages of 20 people each; a recruiter with \(graph.connectionCount(of: ids[Int(recruiter)])) connections, and members")
        printTable(["hiding their lists", "recruiter p50", "recruiter p99", "member p50", "member p99", "sum of counts"], rows)
    }

    /// The start-up of an instance from its graph snapshot (docs/ARCHITECTURE.md "Start-up from a snapshot"): the
    /// index with member ids of the product's length written to a file and synced, then the file mapped and read into
    /// a new index as `GraphSnapshot.start` does; the restored index must answer as the original for a sample of
    /// viewers, or the run stops.
    static func snapshotRoundTrip(_ graph: SocialGraph, viewers: [Node], folder: String, seed: UInt64) throws {
        // Ids as long as the product's (26 characters).
        let ids = (0..<graph.nodeCount).map { MemberID("m" + String(repeating: "0", count: 25 - String($0).count) + String($0)) }
        let original = MemberGraph(members: ids, graph: graph)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent("graph.snapshot")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let writeStart = DispatchTime.now().uptimeNanoseconds
        var writer = SnapshotWriter(kind: MemberGraph.snapshotKind, format: MemberGraph.snapshotFormat) { try handle.write(contentsOf: $0) }
        writer.write(Int64(0))
        writer.write("")
        writer.write(Date().timeIntervalSince1970)
        original.writeSnapshot(to: &writer)
        let size = try writer.finish()
        try handle.synchronize()
        try handle.close()
        let writeSeconds = Double(DispatchTime.now().uptimeNanoseconds - writeStart) / 1e9
        // A cold start reads the file from disk: the page cache is dropped when this process may (root).
        let cold = (try? "1\n".write(toFile: "/proc/sys/vm/drop_caches", atomically: false, encoding: .utf8)) != nil
        let readStart = DispatchTime.now().uptimeNanoseconds
        let mapped = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        let restored = try mapped.withUnsafeBytes { raw in
            var reader = try SnapshotReader(raw, kind: MemberGraph.snapshotKind, formats: MemberGraph.snapshotFormat...MemberGraph.snapshotFormat)
            _ = try reader.read(Int64.self)
            _ = try reader.readString()
            _ = try reader.readDouble()
            return try MemberGraph(snapshot: &reader, sequence: 0)
        }
        let readSeconds = Double(DispatchTime.now().uptimeNanoseconds - readStart) / 1e9
        var g = SyntheticGraph.Generator(state: seed &+ 7)
        for viewer in viewers {
            let id = ids[Int(viewer)]
            let targets = (0..<1000).map { _ in ids[Int(Node.random(in: 0..<Node(graph.nodeCount), using: &g))] }
            precondition(restored.degrees(from: id, to: targets) == original.degrees(from: id, to: targets), "the restored index disagrees on degrees")
            let suggested = restored.triangleCandidates(of: id, limit: 20, excluded: { _ in false })
            let expected = original.triangleCandidates(of: id, limit: 20, excluded: { _ in false })
            precondition(suggested.map(\.member) == expected.map(\.member) && suggested.map(\.mutualCount) == expected.map(\.mutualCount),
                "the restored index disagrees on people you may know")
            precondition(restored.connectionCount(of: id) == original.connectionCount(of: id), "the restored index disagrees on connections")
        }
        try? FileManager.default.removeItem(atPath: path)
        print(
            "Snapshot: \(size / 1_048_576) MiB written and synced in \(String(format: "%.2f", writeSeconds)) s; "
                + "read back (\(cold ? "page cache dropped first" : "from the page cache")) in \(String(format: "%.2f", readSeconds)) s; "
                + "answers of \(viewers.count) viewers identical")
    }
}
