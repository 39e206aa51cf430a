import stripe
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from .models import Product

stripe.api_key = settings.STRIPE_SECRET_KEY
if settings.STRIPE_API_BASE:
    stripe.api_base = settings.STRIPE_API_BASE


def landing(request):
    product = Product.objects.get(name="Test Product")
    return render(request, "landing.html", {"product": product, "price": f"{product.price / 100:.2f}",
                                            "STRIPE_PUBLIC_KEY": settings.STRIPE_PUBLISHABLE_KEY,
                                            "STRIPE_JS_URL": settings.STRIPE_JS_URL})


@csrf_exempt  # measured with wrk, as the original was
def create_checkout_session(request, pk):
    product = Product.objects.get(id=pk)
    session = stripe.checkout.Session.create(
        payment_method_types=["card"],
        line_items=[{"price_data": {"currency": "usd", "unit_amount": product.price,
                                    "product_data": {"name": product.name}}, "quantity": 1}],
        metadata={"product_id": product.id},
        mode="payment",
        success_url=settings.YOUR_DOMAIN + "/success/",
        cancel_url=settings.YOUR_DOMAIN + "/cancel/",
    )
    return JsonResponse({"id": session.id})


def success(request):
    return HttpResponse("The payment was successful.")


def cancel(request):
    return HttpResponse("The payment was cancelled.")
