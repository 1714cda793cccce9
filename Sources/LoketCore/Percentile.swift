// Percentiles, computed one way everywhere (stats range, CSV export, bench): nearest rank.

/// The nearest-rank percentile: of `n` values sorted ascending, the p-th percentile is the value at
/// rank ⌈p · n⌉ (1-based, at least 1). It is always one of the values, never an interpolation, so
/// a figure can be checked by hand: of 1, 2, 3, 4 minutes, p50 is 2 and p90 is 4.
public enum Percentile {
    /// The nearest-rank `p`-th percentile (0 < p ≤ 1) of `values` (any order); nil when empty.
    public static func nearestRank(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        return nearestRank(sorted: values.sorted(), p)
    }

    /// The same for values already sorted ascending.
    public static func nearestRank(sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        // The epsilon keeps 0.9 · 30 (27.000000000000004 in floating point) at rank 27, as a person computes it.
        let rank = Int((p * Double(sorted.count) - 1e-9).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}
