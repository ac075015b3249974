import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render } from "preact";
import { act } from "preact/test-utils";
import type { CaseListDto } from "../../ipc";

const cases = vi.fn<() => Promise<CaseListDto>>();
vi.mock("../../ipc", async (original) => ({
  ...(await original<typeof import("../../ipc")>()),
  api: { cases: () => cases() },
  on: () => Promise.resolve(() => undefined),
}));

const { useCases } = await import("./useCases");

let root: HTMLDivElement;
let seen: CaseListDto | null = null;
function Probe({ connected }: { connected: boolean | null }) {
  seen = useCases(true, connected).list;
  return null;
}
const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));
const show = async (connected: boolean | null) => {
  act(() => render(<Probe connected={connected} />, root));
  await flush();
};

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
  cases.mockReset();
  seen = null;
});
afterEach(() => {
  render(null, root);
  root.remove();
});

describe("the case list the window keeps", () => {
  it("is read again when the connection drops, and then says it is the stored copy", async () => {
    cases.mockResolvedValueOnce({ cases: [], fresh: true, received_at: "2026-12-07T09:00:00Z" });
    await show(true);
    expect(cases).toHaveBeenCalledTimes(1);
    expect(seen?.fresh).toBe(true);
    await show(true);
    expect(cases).toHaveBeenCalledTimes(1);

    cases.mockResolvedValueOnce({ cases: [], fresh: false, received_at: "2026-12-07T09:00:00Z" });
    await show(false);
    expect(cases).toHaveBeenCalledTimes(2);
    expect(seen?.fresh).toBe(false);

    cases.mockResolvedValueOnce({ cases: [], fresh: true, received_at: "2026-12-07T09:05:00Z" });
    await show(true);
    expect(cases).toHaveBeenCalledTimes(3);
    expect(seen?.fresh).toBe(true);
  });

  it("reads once on start whatever the first connection state", async () => {
    cases.mockResolvedValue({ cases: [], fresh: false, received_at: null });
    await show(null);
    await show(false);
    expect(cases).toHaveBeenCalledTimes(1);
  });
});
