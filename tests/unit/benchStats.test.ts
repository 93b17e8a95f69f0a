import * as assert from "assert";
import { leastSquares, median, table } from "../e2e/benchStats";

describe("bench statistics", () => {
    it("median of odd and even lists, unsorted input", () => {
        assert.equal(median([3, 1, 2]), 2);
        assert.equal(median([4, 1, 3, 2]), 2.5);
        assert.throws(() => median([]), /median of nothing/);
    });

    it("least squares recovers a fixed cost and a throughput", () => {
        // 2 s + 1 GB at 400 MB/s, measured at 1 and 4 GB, with noise that cancels
        const points = [
            { bytes: 1e9, seconds: 2 + 2.5 + 0.1 }, { bytes: 1e9, seconds: 2 + 2.5 - 0.1 },
            { bytes: 4e9, seconds: 2 + 10 + 0.2 }, { bytes: 4e9, seconds: 2 + 10 - 0.2 },
        ];
        const fit = leastSquares(points)!;
        assert.ok(Math.abs(fit.fixedSeconds - 2) < 1e-9, `fixed ${fit.fixedSeconds}`);
        assert.ok(Math.abs(fit.bytesPerSecond - 400e6) < 1, `rate ${fit.bytesPerSecond}`);
        assert.equal(fit.points, 4);
    });

    it("no line through a single size", () => {
        assert.equal(leastSquares([{ bytes: 1e9, seconds: 3 }, { bytes: 1e9, seconds: 4 }]), undefined);
    });

    it("tables align every column under its header", () => {
        const lines = table([["engine", "s"], ["mariadb", "10.25"], ["mysql", "9.5"]]).split("\n");
        assert.deepEqual(lines, ["engine       s", "-------  -----", "mariadb  10.25", "mysql      9.5"]);
    });
});
