"""Public, login-free URLs of certification, mounted at /verify/: the address a certificate's QR
code points to."""

from django.urls import path

from certification.views.certificates import verify_certificate

app_name = "verify"
urlpatterns = [path("<str:number>", verify_certificate, name="certificate")]
