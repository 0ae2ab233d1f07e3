app_name = "passports"
urlpatterns: list = []
