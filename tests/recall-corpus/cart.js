export function cartTotal(items, discounts) {
  let total = 0;
  for (const item of items) {
    if (item.quantity <= 0) {
      continue;
    }
    total += item.price * item.quantity;
  }
  const code = discounts.find((d) => d.minimum <= total);
  if (code) {
    total -= Math.round(total * code.percent) / 100;
  }
  return Math.max(total, 0);
}
