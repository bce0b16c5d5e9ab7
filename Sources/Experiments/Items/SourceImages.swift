import Models
import Tensors

/// The images reconstruction, interpolation and editing start from, chosen once per request before any work:
/// the model's own labelled set, else the experiment's `images:` folder.
enum SourceImages {
    /// The model's own labelled set.
    case set(LabeledImageSet)
    /// The `images:` folder, at the model's image shape, in name order.
    case files(HostTensor)
    /// Sampling and convergence need none.
    case none

    /// Refuses, naming the experiment and the key to set, a request whose model has no images to start from.
    static func load(_ request: ExperimentRequest, model: ExperimentModel) throws -> SourceImages {
        guard [.reconstruction, .interpolation, .editing].contains(request.kind) else { return .none }
        if let folder = request.images {
            let shape = model.imageShape
            let images = try InputImages.load([folder], channels: shape[0], side: shape[1])
            if request.kind == .interpolation && images.shape[0] < 2 {
                throw ExperimentError("experiment '\(request.name)': interpolation needs two images, and the folder \(folder) (`images:`) holds one")
            }
            return .files(images)
        }
        if request.kind == .editing && !request.prompts.isEmpty {
            throw ExperimentError("experiment '\(request.name)': \(request.model) has no image set of its own; set `images:` to a folder of PNG or JPEG images to edit")
        }
        guard let set = model.imageSet else {
            throw ExperimentError("experiment '\(request.name)': \(request.model) has no image set of its own; set `images:` to a folder of PNG or JPEG images to invert")
        }
        return .set(set)
    }

    /// The first `count` images of a folder (all when it holds fewer).
    static func first(_ count: Int, of images: HostTensor) -> HostTensor {
        let n = min(count, images.shape[0]), size = images.shape.dropFirst().reduce(1, *)
        return HostTensor(shape: [n] + Array(images.shape.dropFirst()), scalars: Array(images.scalars.prefix(n * size)))
    }
}
