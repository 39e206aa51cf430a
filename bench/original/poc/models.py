from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.IntegerField(default=0)  # cents
    url = models.URLField()

    class Meta:
        app_label = "poc"
