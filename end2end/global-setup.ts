// The test script starts the console and the IdP; wait until both answer.
export default async function globalSetup() {
  const urls = [
    process.env.BASE_URL ?? 'http://127.0.0.1:3100',
    `${process.env.IDP_URL ?? 'http://127.0.0.1:4100'}/.well-known/openid-configuration`,
  ];
  for (const url of urls) {
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        const r = await fetch(url, { redirect: 'manual' });
        if (r.status < 500) break;
      } catch {}
      if (Date.now() > deadline) throw new Error(`${url} did not come up`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
