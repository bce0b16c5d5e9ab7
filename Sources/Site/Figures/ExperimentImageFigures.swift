import Experiments

extension ExperimentResult {
    /// The experiment's images laid out as the page's figures, in page order: rows, columns, titles and
    /// captions from the request that produced them.
    func figures(of request: ExperimentRequest) -> [ImageFigure] {
        switch images {
        case .none: []
        case .samples(let galleries): [SampleFigure.figure(request, galleries)]
        case .roundTrips(let galleries): RoundTripFigures.figures(request, galleries)
        case .strips(let strips): StripFigure.figure(request, strips).map { [$0] } ?? []
        case .edits(let edits): EditFigures.figures(request, edits)
        }
    }
}
