import Foundation
import TsunagariCore
import ZIPFoundation

/// Zip files in memory: writing the member's export, and reading the zip LinkedIn sends without letting its
/// directory or its compressed data decide how much memory or time the server spends.
public enum DataArchive {
    /// A zip of these files (deflate), in memory. A name with `/` puts the file in a folder.
    public static func zip(_ files: [(name: String, data: Data)]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for file in files {
            let data = file.data
            try archive.addEntry(
                with: file.name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in
                let start = data.startIndex + Int(position)
                return data.subdata(in: start..<(start + size))
            }
        }
        guard let data = archive.data else { throw Archive.ArchiveError.unreadableArchive }
        return data
    }

    /// One file taken out of a zip.
    struct Extracted {
        /// The entry's last path component, as the zip spells it: what errors name.
        var name: String
        var data: Data
    }

    /// Hands `each` the entries of `zip` that `select` picks (by the entry's last path component), expanded one at a
    /// time in the order of `order`, so that only one expanded file is in memory at once. Everything that bounds the
    /// work is decided from the zip's central directory before any entry is expanded: the number of entries and what
    /// the picked entries say they expand to. An entry that expands to more than it says is stopped at that size, so
    /// a lying directory cannot get past the bound either. Returns the keys found.
    @discardableResult
    static func extract<Key: Hashable>(
        zip: Data, zipName: String, limits: DataFileLimits, order: [Key], select: (String) -> Key?,
        each: (Key, Extracted) throws(DataFileError) -> Void
    ) throws(DataFileError) -> [Key] {
        guard zip.count <= limits.maximumUploadBytes else {
            throw DataFileError(.tooLarge, file: zipName, message: "the file is larger than \(megabytes(limits.maximumUploadBytes))")
        }
        guard looksLikeZip(zip) else {
            throw DataFileError(.malformed, file: zipName, message: "not a zip file")
        }
        let archive: Archive
        do {
            archive = try Archive(data: zip, accessMode: .read)
        } catch {
            throw DataFileError(.malformed, file: zipName, message: "not a zip file")
        }

        // The directory only: iterating reads each entry's directory record and local header, never its data.
        var picked: [Key: (name: String, entry: Entry)] = [:]
        var entryCount = 0
        var declaredBytes: UInt64 = 0
        for entry in archive {
            entryCount += 1
            guard entryCount <= limits.maximumZipEntries else {
                throw DataFileError(
                    .tooLarge, file: zipName, message: "the zip has more than \(limits.maximumZipEntries) entries")
            }
            guard entry.type == .file else { continue }
            let name = lastPathComponent(entry.path)
            // The first entry with a name wins; a second copy (another folder, macOS's __MACOSX) is not read.
            guard let key = select(name), picked[key] == nil else { continue }
            picked[key] = (name, entry)
            let (sum, overflow) = declaredBytes.addingReportingOverflow(entry.uncompressedSize)
            declaredBytes = overflow ? .max : sum
        }
        guard declaredBytes <= UInt64(max(limits.maximumExpandedBytes, 0)) else {
            throw DataFileError(
                .tooLarge, file: zipName,
                message: "the files to read expand to more than \(megabytes(limits.maximumExpandedBytes))")
        }

        var found: [Key] = []
        for key in order {
            guard let (name, entry) = picked[key] else { continue }
            let data = try expand(entry, of: archive, name: name)
            try each(key, Extracted(name: name, data: data))
            found.append(key)
        }
        return found
    }

    /// Thrown from the consumer to stop inflating an entry that outgrows its declared size.
    private struct LargerThanDeclared: Error {}

    private static func expand(_ entry: Entry, of archive: Archive, name: String) throws(DataFileError) -> Data {
        let declared = entry.uncompressedSize  // already checked against the limit, so it fits in memory
        var data = Data()
        data.reserveCapacity(Int(declared))
        do {
            let checksum = try archive.extract(entry) { chunk in
                guard UInt64(data.count) + UInt64(chunk.count) <= declared else { throw LargerThanDeclared() }
                data.append(chunk)
            }
            guard checksum == entry.checksum, UInt64(data.count) == declared else {
                throw DataFileError(.malformed, file: name, message: "the zip is damaged (this file does not check out)")
            }
        } catch let error as DataFileError {
            throw error
        } catch is LargerThanDeclared {
            throw DataFileError(.malformed, file: name, message: "the zip is damaged (this file expands to more than it says)")
        } catch {
            throw DataFileError(.malformed, file: name, message: "the zip is damaged (this file cannot be expanded)")
        }
        return data
    }

    /// A zip starts with a local file header (or, empty, with the end record) and has its end-of-central-directory
    /// record in its last 64 KiB + 22 bytes. Checked here because ZIPFoundation looks for that record byte by byte
    /// through the whole file, which for a large upload that is no zip would take seconds.
    private static func looksLikeZip(_ data: Data) -> Bool {
        let localHeader: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        let endRecord: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        guard data.starts(with: localHeader) || data.starts(with: endRecord) else { return false }
        let tail = data.suffix(65_535 + 22)
        return tail.range(of: Data(endRecord)) != nil
    }

    private static func lastPathComponent(_ path: String) -> String {
        // Zips made on Windows may separate folders with a backslash.
        let components = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        return components.last.map(String.init) ?? path
    }

    /// A limit as a member reads it: `50 MB`, or bytes for the small limits tests set.
    static func megabytes(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? "\(bytes / (1024 * 1024)) MB" : "\(max(bytes, 0)) bytes"
    }
}
