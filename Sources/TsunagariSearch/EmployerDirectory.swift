import Foundation
import TsunagariCore

/// Where members work now, read from the people search index's stored attributes.
extension TermIndex: EmployerDirectory {
    /// Reads the current companies' ids straight from the stored attributes (their 11th field), without decoding the
    /// rest: a job search asks this for every connection of the seeker.
    public func currentCompanies(of members: [MemberID]) -> [MemberID: [String]] {
        var result: [MemberID: [String]] = [:]
        result.reserveCapacity(members.count)
        storedAttributes(of: members) { member, stored in
            var text = stored
            let ids: [String] = text.withUTF8 { bytes in
                var field = 0
                var start = -1
                var end = bytes.count
                for index in 0..<bytes.count where bytes[index] == 0x1F {
                    field += 1
                    if field == 10 { start = index + 1 } else if field == 11 { end = index; break }
                }
                guard start >= 0, start < end else { return [] }
                var ids: [String] = []
                var itemStart = start
                var position = start
                while position <= end {
                    if position == end || bytes[position] == 0x1E {
                        if let split = (itemStart..<position).first(where: { bytes[$0] == 0x1D }) {
                            ids.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[itemStart..<split]), as: UTF8.self))
                        }
                        itemStart = position + 1
                    }
                    position += 1
                }
                return ids
            }
            if !ids.isEmpty { result[member] = ids }
        }
        return result
    }
}
