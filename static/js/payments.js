// The payment page with Stripe: mounts the Payment Element and confirms the PaymentIntent.
// Stripe sends the shopper back to the return URL, where the server asks Stripe how it went.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof window.Stripe !== "function") {
    return;
  }
  var stripe = window.Stripe(form.dataset.publishableKey);
  // Stripe words its form and card errors in the page's language (es, de, en, ...).
  var elements = stripe.elements({
    clientSecret: form.dataset.clientSecret,
    locale: document.documentElement.lang || "auto"
  });
  var paymentElement = elements.create("payment");
  var submit = document.getElementById("payment-submit");
  var message = document.getElementById("payment-message");
  paymentElement.mount("#payment-element");
  paymentElement.on("ready", function () {
    submit.disabled = false;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit.disabled = true;
    message.hidden = true;
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        // Only reached when Stripe could not redirect: the card was refused or the form is wrong.
        if (result.error) {
          message.textContent = result.error.message;
          message.hidden = false;
          submit.disabled = false;
        }
      });
  });
})();
