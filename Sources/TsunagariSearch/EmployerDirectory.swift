import Foundation
import TsunagariCore

/// Where members work now, read from the people search index's stored attributes.
extension TermIndex: EmployerDirectory {
    /// Reads the current companies' ids straight from the stored attributes (their 11th field), without decoding the
    /// rest: a job search asks this for every connection of the seeker.
    public func currentCompanies(of members: [MemberID]) -> [MemberID: [String]] {
        var result: [MemberID: [String]] = [:]
        result.reserveCapacity(members.count)
        lock.read {
            for member in members {
                guard let doc = self.members.doc(of: member) else { continue }
                let ids = attributeTable.currentCompanyIDs(attributes[Int(doc)])
                if !ids.isEmpty { result[member] = ids }
            }
        }
        return result
    }
}
