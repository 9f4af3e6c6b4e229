// libp2p 3 calls Promise.withResolvers, which Node gained in v22. Loaded before libp2p runs:
// by jest (setupFiles) and by the validator process (imported first by its entry point).
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
