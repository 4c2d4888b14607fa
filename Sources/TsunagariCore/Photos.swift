import Foundation

/// A member's profile photo or banner as pages link to it: the id is the SHA-256 of the processed image, so its
/// address changes whenever the picture does and may be cached for ever.
public struct PhotoRef: Hashable, Sendable {
    public var id: String

    public init(id: String) { self.id = id }

    /// Hex digits only, as made; anything else names no photo.
    public static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

public enum PhotoKind: String, Sendable, CaseIterable {
    case photo, banner
}

/// The sizes pages use. A photo is square; a banner is 4:1 like LinkedIn's.
public enum PhotoVariant: String, Sendable, CaseIterable {
    case large, small

    public func pixels(for kind: PhotoKind) -> (width: Int, height: Int) {
        switch (kind, self) {
        case (.photo, .large): (400, 400)
        case (.photo, .small): (100, 100)
        case (.banner, .large): (1584, 396)
        case (.banner, .small): (792, 198)
        }
    }
}

/// The part of the uploaded image the member chose, in its pixels (after the camera's rotation is applied).
public struct PhotoCrop: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// An uploaded image decoded, cropped, re-encoded as JPEG in every variant, with no metadata left.
public struct ProcessedPhoto: Sendable {
    public var id: String
    public var images: [PhotoVariant: [UInt8]]

    public init(id: String, images: [PhotoVariant: [UInt8]]) {
        self.id = id
        self.images = images
    }
}

/// Decoding and encoding images, done outside the domain (libvips in the web layer). Throws `DomainError`: 413
/// for too large a file, 422 for what is not an acceptable image.
public protocol PhotoProcessing: Sendable {
    /// Nil when images can be processed; else why not, for the operator.
    var unavailableReason: String? { get }
    func process(_ data: [UInt8], kind: PhotoKind, crop: PhotoCrop?) async throws -> ProcessedPhoto
}

public protocol PhotoStore: Sendable {
    /// Stores the images and makes them the member's photo (or banner); the one it replaces is deleted. One
    /// transaction.
    func setPhoto(_ photo: ProcessedPhoto, kind: PhotoKind, for member: MemberID, at: Date) async throws
    /// False when the member had none.
    func removePhoto(kind: PhotoKind, for member: MemberID, at: Date) async throws -> Bool
    func photoImage(id: String, variant: PhotoVariant) async throws -> [UInt8]?
}

/// Uploading and removing photos; the limits are here.
public struct PhotoService: Sendable {
    let storage: any Storage & PhotoStore
    let processor: any PhotoProcessing
    let throttle: Throttle
    let clock: any Clock
    let observer: (any ProfileChangeObserver)?

    /// Uploads larger than this are refused before they are read to the end.
    public static let maximumBytes = 10 * 1024 * 1024

    public init(
        storage: any Storage & PhotoStore, processor: any PhotoProcessing, throttle: Throttle = RateLimits.standard.photoUploadsPerMember, clock: any Clock,
        observer: (any ProfileChangeObserver)? = nil
    ) {
        self.storage = storage
        self.processor = processor
        self.throttle = throttle
        self.clock = clock
        self.observer = observer
    }

    public var isAvailable: Bool { processor.unavailableReason == nil }

    public func upload(_ member: MemberID, kind: PhotoKind, data: [UInt8], crop: PhotoCrop?) async throws -> PhotoRef {
        guard try await storage.profile(id: member) != nil else { throw DomainError.unauthenticated }
        guard data.count <= Self.maximumBytes else {
            throw DomainError(.tooLarge, code: "too_large", message: "A photo may be at most 10 MB.")
        }
        if let reason = processor.unavailableReason {
            throw DomainError(.conflict, code: "photos_off", message: "Photos cannot be uploaded on this site now: \(reason)")
        }
        if let crop, crop.x < 0 || crop.y < 0 || crop.width < 1 || crop.height < 1 {
            throw DomainError.invalid("bad_crop", "The crop must lie inside the image.")
        }
        try await AttemptLimiter(store: storage, clock: clock).reserve(
            [("photo|\(member.rawValue)", throttle)], message: { "Too many photo uploads. Try again in \($0) seconds." })
        let processed = try await processor.process(data, kind: kind, crop: crop)
        try await storage.setPhoto(processed, kind: kind, for: member, at: clock.now())
        await observer?.profileChanged(member)
        return PhotoRef(id: processed.id)
    }

    public func remove(_ member: MemberID, kind: PhotoKind) async throws {
        guard try await storage.removePhoto(kind: kind, for: member, at: clock.now()) else {
            throw DomainError.notFound(kind == .photo ? "Photo" : "Banner")
        }
        await observer?.profileChanged(member)
    }

    public func image(id: String, variant: PhotoVariant) async throws -> [UInt8] {
        guard PhotoRef.isWellFormed(id), let bytes = try await storage.photoImage(id: id, variant: variant) else {
            throw DomainError.notFound("Photo")
        }
        return bytes
    }
}
