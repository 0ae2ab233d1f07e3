app_name = "public_passports"
urlpatterns: list = []
