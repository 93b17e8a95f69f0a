/** Kubernetes resource quantities ("500m", "1Gi", "2.5G", "1e3"): syntax check and value. */

const quantityPattern = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$/;

const suffixFactor: Readonly<Record<string, number>> = {
    "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The numeric value of a quantity, or undefined when it is not a valid quantity. */
export function parseQuantity(text: string): number | undefined {
    const match = quantityPattern.exec(text);
    if (!match) {
        return undefined;
    }
    const [, digits, suffix = ""] = match;
    const factor = suffix in suffixFactor ? suffixFactor[suffix] : 10 ** Number(suffix.slice(1));
    return Number(digits) * factor;
}
