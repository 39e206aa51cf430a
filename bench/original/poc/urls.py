from django.urls import path

from . import views

urlpatterns = [
    path("", views.landing),
    path("create-checkout-session/<int:pk>/", views.create_checkout_session),
    path("success/", views.success),
    path("cancel/", views.cancel),
]
