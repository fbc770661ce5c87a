// Text whose contrast with its background is below WCAG AA (4.5:1; 3:1 for large text).
() => {
  const rgb = (value) => (value.match(/[\d.]+/g) || []).map(Number);
  const luminance = (color) => {
    const [r, g, b] = color.map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  // The nearest opaque background up the tree (the page uses no images or gradients).
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] === 1)) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const element of document.querySelectorAll("body *")) {
    const text = [...element.childNodes]
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.textContent)
      .join("")
      .trim();
    if (!text || element.closest(".visually-hidden") || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    const foreground = rgb(element instanceof SVGElement ? style.fill : style.color).slice(0, 3);
    const [light, dark] = [luminance(foreground), luminance(background(element))].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      failures.push(`${element.tagName} "${text.slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
  }
  return failures;
}
