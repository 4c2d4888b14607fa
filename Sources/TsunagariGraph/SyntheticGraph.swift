/// Realistic professional graphs of any size, for benchmarks: members spread over companies of
/// heavy-tailed sizes (a member's colleagues are most of their ties), a few recruiters with thousands
/// of connections each, and preferential attachment for the tail. Deterministic for a seed.
public enum SyntheticGraph {
    /// SplitMix64: the same sequence for a seed on every platform.
    public struct Generator: RandomNumberGenerator {
        var state: UInt64
        public init(state: UInt64) { self.state = state }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// About `averageDegree / 2` undirected edges per member (duplicates are possible and dropped at build).
    public static func edges(members: Int, averageDegree: Int = 100, seed: UInt64 = 1) -> [(Node, Node)] {
        precondition(members > 10)
        var g = Generator(state: seed)
        let target = members * averageDegree / 2
        var edges: [(Node, Node)] = []
        edges.reserveCapacity(target + target / 10)

        // Recruiters: one in 500 members, each with 2,000–20,000 connections (fewer in small graphs);
        // together about 40% of all ties.
        let recruiterCount = max(1, members / 500)
        let recruiterBudget = target * 4 / 10
        let perRecruiter = max(1, recruiterBudget / recruiterCount)
        for r in 0..<recruiterCount {
            let recruiter = Node(r * (members / recruiterCount))
            let degree = min(members - 1, Int(Double(perRecruiter) * Double.random(in: 0.2...1.8, using: &g)))
            for _ in 0..<degree { edges.append((recruiter, Node.random(in: 0..<Node(members), using: &g))) }
        }

        // Companies with heavy-tailed sizes; each member belongs to 1–3 over a career.
        let companyCount = max(1, members / 40)
        var companyOf: [[Node]] = Array(repeating: [], count: companyCount)
        for member in 0..<members {
            for _ in 0..<Int.random(in: 1...3, using: &g) {
                // Rank r is picked with weight ~ 1/r: sample a log-uniform rank.
                let u = Double.random(in: 0..<1, using: &g)
                let rank = min(companyCount - 1, Int(pow(Double(companyCount), u)) - 1)
                companyOf[rank].append(Node(member))
            }
        }
        let colleagueBudget = target * 5 / 10
        let memberships = companyOf.reduce(0) { $0 + $1.count }
        let perMembership = max(1, colleagueBudget / max(1, memberships))
        for staff in companyOf where staff.count > 1 {
            for member in staff {
                for _ in 0..<perMembership { edges.append((member, staff.randomElement(using: &g)!)) }
            }
        }

        // The rest by preferential attachment: pick an end of an existing edge.
        while edges.count < target {
            let a = Node.random(in: 0..<Node(members), using: &g)
            let pick = edges[Int.random(in: 0..<edges.count, using: &g)]
            edges.append((a, Bool.random(using: &g) ? pick.0 : pick.1))
        }
        return edges
    }

    /// Reads an edge list: `u v` or `u<TAB>v` per line, `#` comments, or CSV with a header line.
    /// Node ids are renumbered densely in order of first appearance.
    public static func parseEdgeList(_ text: String) -> (edges: [(Node, Node)], nodeCount: Int) {
        var ids: [Substring: Node] = [:]
        var edges: [(Node, Node)] = []
        func id(_ raw: Substring) -> Node {
            if let node = ids[raw] { return node }
            let node = Node(ids.count)
            ids[raw] = node
            return node
        }
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#") { continue }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            guard parts.count >= 2, parts[0].allSatisfy(\.isNumber), parts[1].allSatisfy(\.isNumber) else { continue }
            edges.append((id(parts[0]), id(parts[1])))
        }
        return (edges, ids.count)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
