// Card payments on the express page. Card data lives in Stripe.js's iframe and never reaches this page or the shop.
window.rxshopPay = (function () {
  let stripe = null, card = null, complete = false, mounted = null;
  function loadScript(src) {
    if (window.Stripe) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src; s.onload = resolve;
      s.onerror = () => reject(new Error("Stripe.js could not be loaded"));
      document.head.appendChild(s);
    });
  }
  function showError(message) {
    const el = document.getElementById("card-errors");
    if (el) el.textContent = message || "";
  }
  async function mount(publishableKey, jsUrl) {
    const host = document.getElementById("card-element");
    if (!host || (mounted === host && card)) return true;
    await loadScript(jsUrl);
    stripe = window.Stripe(publishableKey);
    card = stripe.elements().create("card");
    card.mount(host);
    mounted = host; complete = false;
    card.on("change", (e) => { complete = !!e.complete; showError(e.error ? e.error.message : ""); });
    return true;
  }
  function ready() {
    if (!stripe || !card) return {error: "The card form is still loading. Please try again."};
    if (!complete) return {error: "Please enter your complete card details."};
    return null;
  }
  async function confirmCard(clientSecret, email) {
    const problem = ready();
    if (problem) return problem;
    const r = await stripe.confirmCardPayment(clientSecret, {payment_method: {card, billing_details: {email}}});
    if (r.error) return {error: r.error.message, code: r.error.code || "", decline_code: r.error.decline_code || ""};
    return {paymentIntent: r.paymentIntent.id, status: r.paymentIntent.status};
  }
  async function createToken() {
    const problem = ready();
    if (problem) return problem;
    const r = await stripe.createToken(card);
    if (r.error) return {error: r.error.message, code: r.error.code || ""};
    return {token: r.token.id};
  }
  return {mount, confirmCard, createToken};
})();
