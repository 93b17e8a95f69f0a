/** The dynamic provider behind generated passwords, called directly as the engine would. */
import { strict as assert } from "assert";
import { generatedPasswordProvider } from "../../components/generatedPassword";

describe("GeneratedPassword provider", () => {
    it("creates a password of the asked length from [A-Za-z0-9] only (no shell- or SQL-special characters)", async () => {
        const created = await generatedPasswordProvider.create({ length: 32 });
        assert.match(created.outs.result, /^[A-Za-z0-9]{32}$/);
        assert.ok(created.id.length > 0);
    });

    it("every creation is a new password, and the characters are spread over the whole alphabet", async () => {
        const results = await Promise.all(Array.from({ length: 200 }, () => generatedPasswordProvider.create({ length: 32 })));
        assert.equal(new Set(results.map((r) => r.outs.result)).size, 200);
        const seen = new Set(results.flatMap((r) => [...r.outs.result]));
        assert.equal(seen.size, 62, `only ${seen.size} of 62 characters in 6400 draws`);
    });

    it("an update with the same length changes nothing (the password is stable); another length replaces it", async () => {
        const olds = (await generatedPasswordProvider.create({ length: 32 })).outs;
        assert.deepEqual(await generatedPasswordProvider.diff!("id", olds, { length: 32 }),
            { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.deepEqual(await generatedPasswordProvider.diff!("id", olds, { length: 40 }),
            { changes: true, replaces: ["length"], deleteBeforeReplace: false });
    });

    it("refresh keeps what is in state", async () => {
        const olds = (await generatedPasswordProvider.create({ length: 32 })).outs;
        assert.deepEqual(await generatedPasswordProvider.read!("id", olds), { id: "id", props: olds });
    });
});
