import Foundation
import Logging
import TsunagariCore
import TsunagariPhotos

/// Photos for sample members: generated portraits (a colour gradient with the member's initials), made with no
/// file, put through the same processing as an upload. Some members keep their initials, as on a real site.
public enum SamplePhotos {
    /// Gives a photo to about two in three of the first `count` sample members (`member1@example.test`, …). Nothing
    /// when this machine cannot process images; returns how many were given.
    @discardableResult
    public static func fill(_ storage: any Storage & PhotoStore, count: Int, logger: Logger) async throws -> Int {
        guard PhotoProcessor.isAvailable else {
            logger.notice("sample members keep their initials: \(PhotoProcessor.unavailableReason ?? "images cannot be processed")")
            return 0
        }
        let processing = VipsPhotoProcessing()
        var given = 0
        for index in 1...max(1, count) where index % 3 != 0 {
            guard let account = try await storage.account(email: "member\(index)@example.test"),
                let profile = try await storage.profile(id: account.memberID), profile.photo == nil
            else { continue }
            let portrait = try PhotoSynth.portrait(seed: UInt64(index), initials: profile.name, size: 400)
            let photo = try await processing.process(portrait, kind: .photo, crop: nil)
            try await storage.setPhoto(photo, kind: .photo, for: account.memberID, at: profile.updatedAt)
            given += 1
        }
        return given
    }
}
