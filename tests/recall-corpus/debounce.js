function debounce(fn, wait) {
  let timer = null;
  return function (...args) {
    const self = this;
    if (timer !== null) {
      clearTimeout(timer);
    }
    timer = setTimeout(() => {
      timer = null;
      fn.apply(self, args);
    }, wait);
  };
}
