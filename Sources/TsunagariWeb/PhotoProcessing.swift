import Crypto
import Foundation
import TsunagariCore
import TsunagariPhotos

/// The domain's `PhotoProcessing` port on libvips (`TsunagariPhotos`): at most two images decoded at once, each
/// refused from its header when it is not a still JPEG, PNG or WebP of sane size.
struct VipsPhotoProcessing: PhotoProcessing {
    let processor = PhotoProcessor()

    var unavailableReason: String? { PhotoProcessor.unavailableReason }

    func process(_ data: [UInt8], kind: TsunagariCore.PhotoKind, crop: PhotoCrop?) async throws -> TsunagariCore.ProcessedPhoto {
        let processed: TsunagariPhotos.ProcessedPhoto
        do {
            processed = try await processor.submit(
                data, kind: kind == .photo ? .photo : .banner,
                crop: crop.map { CropRect(x: $0.x, y: $0.y, width: $0.width, height: $0.height) })
        } catch {
            throw Self.domainError(error)
        }
        var images: [PhotoVariant: [UInt8]] = [:]
        var digest = SHA256()
        for variant in PhotoVariant.allCases {
            let size = variant.pixels(for: kind)
            guard let rendition = processed.rendition(PixelSize(width: size.width, height: size.height)) else {
                throw DomainError.invalid("corrupt", "The image could not be read; the file may be damaged or incomplete.")
            }
            images[variant] = rendition.jpeg
            digest.update(data: rendition.jpeg)
        }
        let id = digest.finalize().hexString
        return TsunagariCore.ProcessedPhoto(id: id, images: images)
    }

    /// 413 for too large a file; 422 with the library's code for anything else the member can fix; 409 when this
    /// server cannot process images at all.
    static func domainError(_ error: PhotoError) -> DomainError {
        switch error {
        case .tooLarge: DomainError(.tooLarge, code: error.code, message: error.message)
        case .unavailable: DomainError(.conflict, code: "photos_off", message: error.message)
        default: DomainError.invalid(error.code, error.message)
        }
    }
}
