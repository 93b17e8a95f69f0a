/** Kubernetes resource quantities ("1Gi", "500M", "1.5", "100m") as numbers, for storage sizes. */
const suffixes: Readonly<Record<string, number>> = {
    "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(quantity: string | number): number {
    if (typeof quantity === "number") {
        return quantity;
    }
    const match = /^([+-]?[0-9.]+)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec(quantity.trim());
    if (!match || !(match[3] in suffixes)) {
        throw new Error(`not a quantity: "${quantity}"`);
    }
    return Number(match[1]) * 10 ** Number(match[2] ?? 0) * suffixes[match[3]];
}
